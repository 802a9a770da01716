using System.Security.Cryptography;
using System.Text;
using Swarm.Node.Service;

namespace Swarm.Node.Security;

/// <summary>
/// The node's admin credential: a random bearer token in <c>&lt;node.data-dir&gt;/admin.token</c> that only the
/// node's own user can read. Whoever can read the file may change the node's state over its HTTP API (submit,
/// approve, reject, cancel tasks); read-only health and metrics need no token. The node creates the file on its
/// first start (32 bytes from the OS CSPRNG, hex) with mode 0600 and refuses to start when the file is readable or
/// writable by anyone else, so a mistaken <c>chmod</c> or copy is noticed instead of silently widening who is
/// admin. The token is never logged: this type's <see cref="ToString"/> does not print it.
/// </summary>
public sealed class AdminToken
{
    /// <summary>The file's name inside the data directory.</summary>
    public const string FileName = "admin.token";

    private const int TokenBytes = 32;

    /// <summary>Longest token file read (a token is 64 characters; anything much longer is not ours).</summary>
    private const int FileBytesMax = 1024;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly byte[] _digest;

    private AdminToken(string path, string value)
    {
        Path = path;
        _digest = SHA256.HashData(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>Where the token is kept.</summary>
    public string Path { get; }

    /// <summary>The token file of the node whose data directory is <paramref name="dataDir"/>.</summary>
    public static string PathIn(string dataDir) => System.IO.Path.Combine(dataDir, FileName);

    /// <summary>Reads the node's token from <paramref name="dataDir"/>, creating it on the first start; a file that
    /// others may read or write, or that is not a token, stops the start with the fix.</summary>
    public static AdminToken LoadOrCreate(string dataDir)
    {
        var path = PathIn(dataDir);
        try
        {
            if (!File.Exists(path))
            {
                Create(path);
            }
            CheckOwnerOnly(path);
            return new AdminToken(path, ReadValue(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeStartException($"cannot read or create the admin token '{path}': {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new NodeStartException(e.Message, e);
        }
    }

    /// <summary>The token text in <paramref name="path"/>, for a client (<c>swarm task</c>, the process simulation).</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="FormatException">The file holds no token.</exception>
    public static string ReadValue(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > FileBytesMax)
        {
            throw new FormatException($"the admin token file '{path}' is {stream.Length} bytes, not a token (delete it and restart the node for a new one)");
        }
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var value = reader.ReadToEnd().Trim();
        if (value.Length < 32 || value.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_')))
        {
            throw new FormatException($"the admin token file '{path}' holds no token (delete it and restart the node for a new one)");
        }
        return value;
    }

    /// <summary>Whether <paramref name="presented"/> is the token. Both sides are hashed first and the digests compared
    /// in constant time, so neither the content nor the length of the token shows in the time taken.</summary>
    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _digest);

    public override string ToString() => $"admin token in {Path}";

    private static void Create(string path)
    {
        var value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(TokenBytes));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Created owner-only: the token is never readable by others, not even between create and chmod.
            options.UnixCreateMode = OwnerOnly;
        }
        using var stream = new FileStream(path, options);
        stream.Write(Encoding.ASCII.GetBytes(value + "\n"));
        stream.Flush(flushToDisk: true);
    }

    private static void CheckOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var mode = File.GetUnixFileMode(path);
        var wider = mode & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (wider != UnixFileMode.None)
        {
            throw new FormatException(
                $"the admin token file '{path}' has mode {Octal(mode)}: other users may read or change it (fix: chmod 600 '{path}', or delete it and restart for a new token)");
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
}
