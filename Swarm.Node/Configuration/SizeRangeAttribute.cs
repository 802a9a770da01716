using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Configuration;

/// <summary>Marks a <c>long</c> setting as a size in bytes (written "64MiB", "512kB" or a byte count) and gives
/// its inclusive range.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SizeRangeAttribute(string min, string max) : Attribute
{
    public long Min { get; } = HoconSize.Parse(min);

    public long Max { get; } = HoconSize.Parse(max);
}
