namespace Swarm.Node.Configuration.Hocon;

/// <summary>A string value: quoted, triple-quoted or unquoted text.</summary>
public sealed class HoconString : HoconValue
{
    public HoconString(string value, HoconOrigin origin)
        : this(value, origin, isUnquoted: false, isWhitespace: false)
    {
    }

    internal HoconString(string value, HoconOrigin origin, bool isUnquoted, bool isWhitespace)
        : base(origin)
    {
        Value = value;
        IsUnquoted = isUnquoted;
        IsWhitespace = isWhitespace;
    }

    public string Value { get; }

    /// <summary>Unquoted text: a lone unquoted value may turn out to be a number, boolean or null.</summary>
    internal bool IsUnquoted { get; }

    /// <summary>Whitespace between the parts of a concatenation: kept in strings, ignored between objects/arrays.</summary>
    internal bool IsWhitespace { get; }

    public override HoconValueKind Kind => HoconValueKind.String;

    public override string ScalarText => Value;
}
