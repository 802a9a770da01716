using Microsoft.Extensions.Logging;
using Swarm.Node.Service;

namespace Swarm.Node.Security;

/// <summary>
/// What only the node's own user may read: the data directory (ledger, task blobs, models trained on patient data,
/// the admin token, the audit log) and the private keys. The node creates its data directory with mode 0700 and, at
/// every start, takes group and other permissions off one that has them (an older node, or one made by hand with the
/// default umask), logging the change; a private key file that others may read stops the start, since the key may
/// already have been copied and the remedy (a new key, <c>swarm consortium</c> rotation) is the operator's.
/// </summary>
public static class OwnerOnly
{
    private const UnixFileMode Group = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;
    private const UnixFileMode Other = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    private const UnixFileMode Directory700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> with mode 0700, or narrows an existing one to its owner; returns the
    /// mode it had when it was narrowed, null when nothing changed.</summary>
    /// <exception cref="NodeStartException">The directory cannot be created or its mode cannot be changed.</exception>
    public static string? PrepareDataDirectory(string path, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(log);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
                return null;
            }
            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path, Directory700);
            }
            var mode = File.GetUnixFileMode(path);
            if ((mode & (Group | Other)) == UnixFileMode.None)
            {
                return null;
            }
            File.SetUnixFileMode(path, mode & ~(Group | Other));
            var was = Octal(mode);
            log.LogWarning("node.data-dir '{Path}' had mode {Mode}: other users could list or read it; it is now {Narrowed} (owner only)",
                path, was, Octal(mode & ~(Group | Other)));
            return was;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeStartException($"cannot create node.data-dir '{path}' or make it owner-only (chmod 700): {e.Message}", e);
        }
    }

    /// <summary>Stops the start when the private key file at <paramref name="path"/> (the setting <paramref name="key"/>)
    /// may be read or changed by users other than its owner.</summary>
    public static void CheckKeyFile(string path, string key)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return; // a missing file is reported by whoever reads it, with the setting
        }
        var mode = File.GetUnixFileMode(path);
        if ((mode & (Group | Other)) != UnixFileMode.None)
        {
            throw new NodeStartException(
                $"{key} '{path}' has mode {Octal(mode)}: other users may read or replace this private key (fix: chmod 600 '{path}'; if others did read it, make a new key with swarm keygen and rotate it in the consortium)");
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
}
