namespace Swarm.Node.Configuration;

/// <summary>Command-line switches that override settings: <c>--network.listen-port=7401</c>,
/// <c>--network.listen-port 7401</c> or <c>--network:listen-port=7401</c>.</summary>
public static class SwarmSwitches
{
    private const string Fix = "write a setting as --section.key=value, e.g. --network.listen-port=7401";

    /// <summary>The configuration keys and values the switches set, in order (a later switch wins).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(IReadOnlyList<string> args)
    {
        var result = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw Error(arg, "is not a setting switch");
            }
            var body = arg[2..];
            var eq = body.IndexOf('=', StringComparison.Ordinal);
            string name, value;
            if (eq >= 0)
            {
                (name, value) = (body[..eq], body[(eq + 1)..]);
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                (name, value) = (body, args[++i]);
            }
            else
            {
                throw Error(arg, "has no value");
            }
            var key = name.Replace('.', ':');
            if (!key.Contains(':', StringComparison.Ordinal) || key.Split(':').Any(s => s.Length == 0))
            {
                throw Error(arg, "does not name a setting (settings have a section and a key)");
            }
            result.Add(KeyValuePair.Create(key, value));
        }
        return result;
    }

    private static SettingsException Error(string arg, string problem) =>
        new([new SettingsError("command line", arg, $"the switch {problem}", Fix)]);
}
