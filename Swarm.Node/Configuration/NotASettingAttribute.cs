namespace Swarm.Node.Configuration;

/// <summary>A property of a settings record that <see cref="SettingsBinder"/> leaves alone (filled another way).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotASettingAttribute : Attribute;
