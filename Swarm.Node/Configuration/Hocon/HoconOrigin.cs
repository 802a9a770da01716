namespace Swarm.Node.Configuration.Hocon;

/// <summary>Where a value was written: a source (file name, "environment variable X", ...) and a 1-based line
/// (0 when the source has no lines).</summary>
public readonly record struct HoconOrigin(string Source, int Line)
{
    public override string ToString() => Line > 0 ? $"{Source}:{Line}" : Source;
}
