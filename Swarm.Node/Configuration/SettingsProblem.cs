namespace Swarm.Node.Configuration;

/// <summary>A rule broken inside one section: the key (relative to the section), what is wrong, and the fix.</summary>
public sealed record SettingsProblem(string Key, string Problem, string Fix);
