namespace Swarm.Node.Configuration;

/// <summary>A string setting that must not be empty; <see cref="Fix"/> tells the operator what to write.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredSettingAttribute(string fix) : Attribute
{
    public string Fix { get; } = fix;
}
