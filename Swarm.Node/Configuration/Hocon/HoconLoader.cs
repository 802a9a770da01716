namespace Swarm.Node.Configuration.Hocon;

/// <summary>Reads HOCON layers (each laid over the ones before, as one document would be) and resolves the
/// substitutions once, against the merged whole.</summary>
public static class HoconLoader
{
    /// <summary>The process environment, the default source for <c>${?NAME}</c>.</summary>
    public static string? ProcessEnvironment(string name) => Environment.GetEnvironmentVariable(name);

    public static HoconConfig Load(IEnumerable<HoconLayer> layers, Func<string, string?>? environment = null)
    {
        var builder = new HoconBuilder();
        foreach (var layer in layers)
        {
            builder.Add(layer);
        }
        return new HoconConfig(HoconResolver.Resolve(builder.Root, environment ?? ProcessEnvironment));
    }

    public static HoconConfig LoadFile(string path, Func<string, string?>? environment = null) =>
        Load([HoconLayer.FromFile(path)], environment);

    /// <param name="text">The configuration text.</param>
    /// <param name="sourceName">What errors call the text.</param>
    /// <param name="baseDirectory">Where includes are looked up.</param>
    /// <param name="environment">Environment variables for <c>${?VAR}</c>.</param>
    /// <param name="allowIncludes">False: an include is an error and no file is opened (text from a peer or a client).</param>
    public static HoconConfig LoadString(string text, string sourceName = "string", string? baseDirectory = null, Func<string, string?>? environment = null,
        bool allowIncludes = true) =>
        Load([HoconLayer.FromText(text, sourceName, baseDirectory) with { IncludesAllowed = allowIncludes }], environment);
}
