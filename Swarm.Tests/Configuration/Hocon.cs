using Swarm.Node.Configuration.Hocon;

namespace Swarm.Tests.Configuration;

/// <summary>Loads HOCON text for tests with a fixed environment (never the process's).</summary>
internal static class Hocon
{
    public static HoconConfig Load(string text, IReadOnlyDictionary<string, string>? environment = null) =>
        HoconLoader.LoadString(text, "test.conf", environment: Env(environment));

    public static Func<string, string?> Env(IReadOnlyDictionary<string, string>? environment) =>
        name => environment is not null && environment.TryGetValue(name, out var v) ? v : null;

    public static HoconException Fails(string text, IReadOnlyDictionary<string, string>? environment = null) =>
        Assert.Throws<HoconException>(() => Load(text, environment));

    /// <summary>Loads a file (and what it includes) with an empty environment.</summary>
    public static HoconConfig LoadFile(string path) => HoconLoader.LoadFile(path, Env(null));

    public static HoconException FailsFile(string path) => Assert.Throws<HoconException>(() => LoadFile(path));
}
