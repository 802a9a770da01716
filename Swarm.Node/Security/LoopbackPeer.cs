using System.Globalization;

namespace Swarm.Node.Security;

/// <summary>
/// Who is at the other end of a loopback TCP connection: both sockets live on this host, so on Linux the kernel's
/// socket table (<c>/proc/net/tcp</c>, <c>/proc/net/tcp6</c>) names the user that owns the client's socket. The
/// audit log records it beside the admin token, which only says that the client could read the token file. Null
/// where the table is not there or has no such socket (another OS, a connection already closed).
/// </summary>
public static class LoopbackPeer
{
    private static readonly string[] Tables = ["/proc/net/tcp", "/proc/net/tcp6"];

    /// <summary>"uid 1000 (alice)" for the socket whose local port is <paramref name="clientPort"/> and whose peer port
    /// is <paramref name="serverPort"/>, or null.</summary>
    public static string? UserOf(int clientPort, int serverPort)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            var uid = Tables.Where(File.Exists).SelectMany(File.ReadLines)
                .Select(line => Owner(line, clientPort, serverPort)).FirstOrDefault(owner => owner is not null);
            if (uid is not { } found)
            {
                return null;
            }
            return NameOf(found) is { } name ? $"uid {found} ({name})" : $"uid {found}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The uid of a table line whose local and remote ports are the given ones.</summary>
    private static long? Owner(string line, int localPort, int remotePort)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 8 || !fields[0].EndsWith(':'))
        {
            return null; // the header line
        }
        return Port(fields[1]) == localPort && Port(fields[2]) == remotePort && long.TryParse(fields[7], CultureInfo.InvariantCulture, out var uid)
            ? uid
            : null;
    }

    private static int? Port(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon > 0 && int.TryParse(address.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    private static string? NameOf(long uid)
    {
        const string Passwd = "/etc/passwd";
        if (!File.Exists(Passwd))
        {
            return null;
        }
        var text = uid.ToString(CultureInfo.InvariantCulture);
        return File.ReadLines(Passwd).Select(line => line.Split(':')).FirstOrDefault(f => f.Length > 2 && f[2] == text)?[0];
    }
}
