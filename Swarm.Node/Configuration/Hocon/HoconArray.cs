namespace Swarm.Node.Configuration.Hocon;

/// <summary>An array. Arrays are immutable once built; a later field replaces an array, it never merges.</summary>
public sealed class HoconArray(IReadOnlyList<HoconValue> items, HoconOrigin origin) : HoconValue(origin)
{
    public IReadOnlyList<HoconValue> Items { get; } = items;

    public override HoconValueKind Kind => HoconValueKind.Array;
}
