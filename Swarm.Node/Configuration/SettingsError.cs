namespace Swarm.Node.Configuration;

/// <summary>One thing wrong with the configuration: where (file:line, environment variable or switch), which key
/// (dotted), what is wrong and how to fix it.</summary>
public sealed record SettingsError(string? Origin, string Key, string Problem, string? Fix)
{
    public override string ToString()
    {
        var where = Origin is null ? "" : $"{Origin}: ";
        var fix = Fix is null ? "" : $" (fix: {Fix})";
        return $"{where}key '{Key}': {Problem}{fix}";
    }
}
