namespace Swarm.Node.Configuration.Hocon;

/// <summary>Values written side by side on one line (<c>${dir}"/ledger.db"</c>, <c>foo bar</c>), joined at
/// resolution: strings concatenate, arrays append, objects merge (HOCON spec, "Value concatenation").</summary>
internal sealed class HoconConcatenation(IReadOnlyList<HoconValue> parts, HoconOrigin origin) : HoconValue(origin)
{
    public IReadOnlyList<HoconValue> Parts { get; } = parts;

    public override HoconValueKind Kind => HoconValueKind.Unresolved;
}
