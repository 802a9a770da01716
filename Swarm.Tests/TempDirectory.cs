namespace Swarm.Tests;

/// <summary>A fresh directory under the system temp folder for one test class or test, deleted with everything in it
/// on dispose. A file a node or store still holds open when the test ends is left to the OS's temp cleaning rather
/// than failing the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("swarm-test-").FullName;

    /// <summary>A path inside the directory (not created).</summary>
    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> inside the directory, creating folders on the
    /// way, and returns the file's path.</summary>
    public string Write(string name, string text)
    {
        var file = Sub(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A store file may still be closing.
        }
        catch (UnauthorizedAccessException)
        {
            // A test that narrowed a file's permissions.
        }
    }
}
