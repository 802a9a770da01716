using System.Security.Cryptography;
using System.Text;

namespace Swarm.Node.Dashboard;

/// <summary>
/// The dashboard's browser sessions. A browser proves once that its user holds the admin token
/// (<c>POST /dashboard/login</c>) and gets a session key in exchange; the page keeps the key in the tab's
/// <c>sessionStorage</c> and sends it as <c>Authorization: Bearer</c>, like <c>swarm task</c> sends the token.
/// Why not a cookie: browsers attach cookies by themselves (cross-site requests are what CSRF is made of), and a
/// cookie for 127.0.0.1 goes to every port of 127.0.0.1, so any local user's server on another port would receive it;
/// <c>sessionStorage</c> belongs to one origin (scheme, host and port) and nothing sends a header unasked. The
/// admin token itself never stays in the browser. A key lives <see cref="IdleTimeout"/> after its last use and at
/// most <see cref="Lifetime"/>; at most <see cref="SessionsMax"/> live at once (the oldest goes first). Keys are
/// kept as SHA-256 digests and compared by digest, so the table never holds a usable key.
/// </summary>
public sealed class DashboardSessions(TimeProvider time)
{
    /// <summary>Sessions alive at once; a further login ends the oldest.</summary>
    public const int SessionsMax = 32;

    /// <summary>A session unused this long ends.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    /// <summary>A session ends this long after its login, used or not.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private const int KeyBytes = 32;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    private sealed record Session(DateTimeOffset Created, DateTimeOffset LastUsed);

    /// <summary>A new session's key (64 hex characters); the caller has checked the admin token.</summary>
    public string Open()
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyBytes));
        var now = time.GetUtcNow();
        lock (_lock)
        {
            Prune(now);
            while (_sessions.Count >= SessionsMax)
            {
                _sessions.Remove(_sessions.MinBy(s => s.Value.Created).Key);
            }
            _sessions[Digest(key)] = new Session(now, now);
        }
        return key;
    }

    /// <summary>Whether <paramref name="key"/> is a live session's key; a match counts as a use.</summary>
    public bool Matches(string? key)
    {
        if (key is null || key.Length != 2 * KeyBytes)
        {
            return false;
        }
        var digest = Digest(key);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            Prune(now);
            if (!_sessions.TryGetValue(digest, out var session))
            {
                return false;
            }
            _sessions[digest] = session with { LastUsed = now };
            return true;
        }
    }

    /// <summary>Ends the session of <paramref name="key"/> (logout); an unknown key is ignored.</summary>
    public void Close(string? key)
    {
        if (key is null)
        {
            return;
        }
        lock (_lock)
        {
            _sessions.Remove(Digest(key));
        }
    }

    /// <summary>Sessions alive now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                Prune(time.GetUtcNow());
                return _sessions.Count;
            }
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (digest, session) in _sessions.ToList())
        {
            if (now - session.LastUsed >= IdleTimeout || now - session.Created >= Lifetime)
            {
                _sessions.Remove(digest);
            }
        }
    }

    // The digest's hex is the dictionary key: a lookup by digest leaks nothing about a key through timing.
    private static string Digest(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
