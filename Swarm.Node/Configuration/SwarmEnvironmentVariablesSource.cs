using Microsoft.Extensions.Configuration;

namespace Swarm.Node.Configuration;

/// <summary>Environment variables that override settings: <c>SWARM_SECTION__KEY_NAME</c> sets
/// <c>section.key-name</c> ('__' separates levels, '_' stands for '-', case does not matter). Variables with no
/// '__' (such as <c>SWARM_NODE_ID</c>) are left to <c>${?NAME}</c> substitutions in the HOCON files.</summary>
public sealed class SwarmEnvironmentVariablesSource(IReadOnlyDictionary<string, string> variables) : IConfigurationSource
{
    public const string Prefix = "SWARM_";

    public IReadOnlyDictionary<string, string> Variables { get; } = variables;

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new SwarmEnvironmentVariablesProvider(Variables);

    /// <summary>The configuration key a variable sets, or null when it is not an override.</summary>
    public static string? KeyOf(string variable)
    {
        if (!variable.StartsWith(Prefix, StringComparison.Ordinal) || !variable.Contains("__", StringComparison.Ordinal))
        {
            return null;
        }
        var levels = variable[Prefix.Length..].Split("__");
        if (levels.Any(l => l.Length == 0))
        {
            return null;
        }
        return string.Join(ConfigurationPath.KeyDelimiter, levels.Select(l => l.Replace('_', '-').ToLowerInvariant()));
    }
}
