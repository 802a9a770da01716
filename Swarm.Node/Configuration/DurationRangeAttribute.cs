using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Configuration;

/// <summary>An inclusive range for a duration setting, written as durations ("1ms", "1h").</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DurationRangeAttribute(string min, string max) : Attribute
{
    public TimeSpan Min { get; } = HoconDuration.Parse(min);

    public TimeSpan Max { get; } = HoconDuration.Parse(max);
}
