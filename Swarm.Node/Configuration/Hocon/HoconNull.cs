namespace Swarm.Node.Configuration.Hocon;

/// <summary>The value <c>null</c>.</summary>
public sealed class HoconNull(HoconOrigin origin) : HoconValue(origin)
{
    public override HoconValueKind Kind => HoconValueKind.Null;

    public override string ScalarText => "null";
}
