namespace Swarm.Node.Configuration.Hocon;

/// <summary>A boolean: <c>true</c> or <c>false</c>.</summary>
public sealed class HoconBoolean(bool value, HoconOrigin origin) : HoconValue(origin)
{
    public bool Value { get; } = value;

    public override HoconValueKind Kind => HoconValueKind.Boolean;

    public override string ScalarText => Value ? "true" : "false";
}
