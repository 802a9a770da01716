namespace Swarm.Node.Configuration;

/// <summary>The rules every own-data entry's declared shape follows.</summary>
internal static class OwnDataRules
{
    public static IEnumerable<SettingsProblem> Problems(IOwnDataSettings entry)
    {
        if (entry.Channels == 2)
        {
            yield return new SettingsProblem("channels", "is 2", "write 1 (grey-scale) or 3 (RGB)");
        }
        if (entry.Classes.Count < 2)
        {
            yield return new SettingsProblem("classes", $"names {entry.Classes.Count} class(es); a classifier needs at least 2", "list the class names, e.g. [normal, pneumonia]");
        }
        var repeated = entry.Classes.GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0)
        {
            yield return new SettingsProblem("classes", $"names {string.Join(", ", repeated.Select(r => $"'{r}'"))} more than once", "list each class once");
        }
        if (entry.Classes.Any(string.IsNullOrWhiteSpace))
        {
            yield return new SettingsProblem("classes", "has an empty name", "give every class a name");
        }
    }
}
