namespace Swarm.Node.Configuration.Hocon;

/// <summary>A node of a configuration tree, with the place it was written.</summary>
public abstract class HoconValue
{
    protected HoconValue(HoconOrigin origin)
    {
        Origin = origin;
    }

    /// <summary>The file and line where this value was written.</summary>
    public HoconOrigin Origin { get; }

    public abstract HoconValueKind Kind { get; }

    /// <summary>How the kind is named in error messages: "a number", "an object".</summary>
    public string KindName => Kind switch
    {
        HoconValueKind.Object => "an object",
        HoconValueKind.Array => "an array",
        HoconValueKind.String => "a string",
        HoconValueKind.Number => "a number",
        HoconValueKind.Boolean => "a boolean",
        HoconValueKind.Null => "null",
        _ => "an unresolved value",
    };

    /// <summary>True for strings, numbers, booleans and null.</summary>
    public bool IsScalar => Kind is HoconValueKind.String or HoconValueKind.Number or HoconValueKind.Boolean or HoconValueKind.Null;

    /// <summary>The text of a scalar as a string concatenation or a flat configuration sees it; null for null.</summary>
    public virtual string? ScalarText => null;

    /// <summary>A copy that later changes to the tree being built cannot reach. Only objects (and delayed merges,
    /// which hold objects) change while a configuration is built; every other value is immutable.</summary>
    internal virtual HoconValue Snapshot() => this;
}
