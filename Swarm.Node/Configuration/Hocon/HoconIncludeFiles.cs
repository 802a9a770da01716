namespace Swarm.Node.Configuration.Hocon;

/// <summary>The files an include statement reads, in the order they are laid over each other (HOCON spec, "Include
/// semantics: file formats and extensions"). A name with an extension is that one file. A name without one is a
/// basename: every existing <c>name.json</c> and <c>name.conf</c> is read, the .conf last so that it wins. Java
/// .properties files are not supported: one that would be read is an error, never silently skipped.</summary>
internal static class HoconIncludeFiles
{
    /// <summary>The extensions tried for a basename, lowest precedence first, as the spec orders them.</summary>
    private static readonly string[] Extensions = [".properties", ".json", ".conf"];

    private const string Properties = ".properties";

    /// <summary>The names (as written, with the extension added) of the files to read, relative to
    /// <paramref name="directory"/>; none when an optional include finds nothing.</summary>
    public static IReadOnlyList<string> Find(string directory, SyntaxInclude include)
    {
        var name = include.File;
        var full = Path.GetFullPath(Path.Combine(directory, name));
        if (Path.GetExtension(name).Length > 0)
        {
            RejectProperties(include, name);
            return File.Exists(full) ? [name] : Missing(include, [full]);
        }
        var found = Extensions.Where(e => File.Exists(full + e)).Select(e => name + e).ToList();
        found.ForEach(f => RejectProperties(include, f));
        if (found.Count > 0)
        {
            return found;
        }
        if (File.Exists(full))
        {
            throw new HoconException(include.Origin, null, $"include \"{name}\" names a file without an extension, which HOCON reads as a basename (it looks for {name}.conf and {name}.json); rename the file to {name}.conf");
        }
        return Missing(include, [.. Extensions.Select(e => full + e)]);
    }

    private static void RejectProperties(SyntaxInclude include, string name)
    {
        if (name.EndsWith(Properties, StringComparison.OrdinalIgnoreCase))
        {
            throw new HoconException(include.Origin, null, $"include \"{include.File}\": {name} is a Java .properties file, which this HOCON reader does not support; write its keys in a .conf file");
        }
    }

    private static string[] Missing(SyntaxInclude include, IReadOnlyList<string> lookedFor)
    {
        if (include.Required)
        {
            throw new HoconException(include.Origin, null, $"required include \"{include.File}\" not found (looked for {string.Join(", ", lookedFor)})");
        }
        return [];
    }
}
