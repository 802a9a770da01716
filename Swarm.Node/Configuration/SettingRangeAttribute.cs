namespace Swarm.Node.Configuration;

/// <summary>An inclusive range for a numeric setting.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingRangeAttribute(double min, double max) : Attribute
{
    public double Min { get; } = min;

    public double Max { get; } = max;
}
