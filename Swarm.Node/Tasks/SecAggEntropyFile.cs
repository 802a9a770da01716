using System.Security.Cryptography;

namespace Swarm.Node.Tasks;

/// <summary>
/// The 32 bytes behind a site's secure-aggregation secrets of one round (its X25519 keys, self-mask seed and Shamir
/// coefficients), drawn from the OS CSPRNG and written to disk, flushed, before the site's keys can leave (STYLE.md
/// rule 3): a node restarted mid-round rebuilds the same participant and can still answer the round's unmask request
/// instead of stalling it. The file is readable by the node's user only; the files of earlier rounds are deleted when
/// a later round's bytes are drawn, so a stolen disk holds at most the current round's secrets.
/// </summary>
public sealed class SecAggEntropyFile(string directory)
{
    private const int EntropyBytes = 32;

    /// <summary>The round's bytes: those on disk, else fresh ones, stored before they are returned.</summary>
    public byte[] For(int round)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"round-{round}.key");
        if (File.Exists(path) && File.ReadAllBytes(path) is { Length: EntropyBytes } kept)
        {
            return kept;
        }
        var entropy = RandomNumberGenerator.GetBytes(EntropyBytes);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(entropy);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        foreach (var old in Directory.EnumerateFiles(directory, "round-*.key"))
        {
            if (int.TryParse(Path.GetFileNameWithoutExtension(old)["round-".Length..], out var earlier) && earlier < round)
            {
                File.Delete(old);
            }
        }
        return entropy;
    }
}
