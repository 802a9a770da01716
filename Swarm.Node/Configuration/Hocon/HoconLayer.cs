namespace Swarm.Node.Configuration.Hocon;

/// <summary>One configuration text to lay over the ones before it: a file, or text with a name for messages.
/// Includes are looked up relative to <see cref="BaseDirectory"/>.</summary>
public sealed record HoconLayer(string SourceName, string? Text, string? FilePath, string BaseDirectory)
{
    /// <summary>False for text from outside the machine (a submitted task spec): an <c>include</c> is then an error
    /// and no file is opened.</summary>
    public bool IncludesAllowed { get; init; } = true;

    public static HoconLayer FromFile(string path)
    {
        var full = Path.GetFullPath(path);
        return new HoconLayer(path, null, full, Path.GetDirectoryName(full) ?? Directory.GetCurrentDirectory());
    }

    public static HoconLayer FromText(string text, string sourceName, string? baseDirectory = null) =>
        new(sourceName, text, null, baseDirectory ?? Directory.GetCurrentDirectory());

    /// <summary>The text of the layer; a missing file is an error naming it.</summary>
    public string ReadText()
    {
        if (Text is not null)
        {
            return Text;
        }
        if (!File.Exists(FilePath))
        {
            throw new HoconException(null, null, $"configuration file '{SourceName}' not found (looked for {FilePath})");
        }
        return ReadFile(FilePath!, SourceName, null);
    }

    /// <summary>Reads a configuration file; a file that exists but cannot be read is an error, not a crash.</summary>
    internal static string ReadFile(string fullPath, string displayName, HoconOrigin? includedFrom)
    {
        try
        {
            return File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HoconException(includedFrom, null, $"cannot read configuration file '{displayName}': {e.Message}");
        }
    }
}
