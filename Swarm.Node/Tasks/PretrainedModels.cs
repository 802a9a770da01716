using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Swarm.Node.Tasks;

/// <summary>
/// Finds the pre-trained model a data-vector task pins by hash on this node: a parameter file (little-endian
/// float32, the format of every model blob) named by its SHA-256 in <c>&lt;data-dir&gt;/models/</c>, or the
/// committed model of a task this node took part in (<c>&lt;data-dir&gt;/tasks/&lt;task&gt;/model/&lt;hash&gt;</c>:
/// a round task's final global model, or another data-vector task's merged model). The file's bytes are hashed
/// again, and its parameter count must be the task's model's for this site's data; either failing is refused
/// with a message naming the file and both values.
/// </summary>
public static class PretrainedModels
{
    public const string Folder = "models";

    /// <summary>The file that holds <paramref name="hash"/> under <paramref name="dataDirectory"/>, or null.</summary>
    public static string? Find(string dataDirectory, string hash)
    {
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }
        var own = Path.Combine(dataDirectory, Folder, hash);
        if (File.Exists(own))
        {
            return own;
        }
        var tasks = Path.Combine(dataDirectory, "tasks");
        return Directory.Exists(tasks)
            ? Directory.EnumerateDirectories(tasks).Select(t => Path.Combine(t, "model", hash)).Order(StringComparer.Ordinal).FirstOrDefault(File.Exists)
            : null;
    }

    /// <summary>The parameters pinned by <paramref name="hash"/>, for a model of <paramref name="parameterCount"/>
    /// parameters (<paramref name="what"/> names it in errors); throws <see cref="InvalidOperationException"/> with
    /// the reason when this node has no such file, the file's bytes hash to something else, or its size is another
    /// model's.</summary>
    public static float[] Load(string dataDirectory, string hash, int parameterCount, string what)
    {
        var path = Find(dataDirectory, hash)
            ?? throw new InvalidOperationException($"this node has no pre-trained model {hash} (looked for {Path.Combine(dataDirectory, Folder, hash)} and the committed models of its tasks)");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot read the pre-trained model {path}: {e.Message}", e);
        }
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != hash)
        {
            throw new InvalidOperationException($"the pre-trained model file {path} hashes to {actual}, not to the pinned {hash}");
        }
        if (bytes.Length != (long)parameterCount * sizeof(float))
        {
            throw new InvalidOperationException(
                $"the pre-trained model {hash[..12]} has {bytes.Length / (double)sizeof(float)} parameters, {what} has {parameterCount}: it was trained for another model or data shape");
        }
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}
