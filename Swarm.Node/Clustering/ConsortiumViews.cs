using System.Collections.Concurrent;
using Swarm.Node.Identity;

namespace Swarm.Node.Clustering;

/// <summary>The consortium version and digest each member last said it has in force (<see cref="ConsortiumHello"/>),
/// compared with this node's own. Written by the <see cref="ConsortiumGreeter"/>, read by <c>GET /health</c>.</summary>
public sealed class ConsortiumViews
{
    private readonly ConcurrentDictionary<string, ConsortiumHello> _heard = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _warned = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="hello"/>. Returns the warning to log when the member's file differs from
    /// <paramref name="own"/> and that difference was not reported before (a repeated hello does not repeat the
    /// warning); null otherwise.</summary>
    public string? Heard(ConsortiumHello hello, Consortium own)
    {
        ArgumentNullException.ThrowIfNull(hello);
        ArgumentNullException.ThrowIfNull(own);
        _heard[hello.From] = hello;
        if (Matches(hello, own))
        {
            _warned.TryRemove(hello.From, out _);
            return null;
        }
        var pair = $"{hello.Label} / {own.VersionLabel}";
        if (_warned.TryGetValue(hello.From, out var before) && before == pair)
        {
            return null;
        }
        _warned[hello.From] = pair;
        var newer = hello.Version > own.Version ? $"member '{hello.From}' has the newer file: copy it here and reload"
            : hello.Version < own.Version ? $"member '{hello.From}' has an older file: copy this one there and reload it"
            : "same version, different content: the files were edited separately";
        return $"consortium mismatch with member '{hello.From}': it has {hello.Label}, this node {own.VersionLabel} ({newer})";
    }

    /// <summary>What <paramref name="memberId"/> last said, or null when it has not said anything yet.</summary>
    public ConsortiumHello? Of(string memberId) => _heard.TryGetValue(memberId, out var hello) ? hello : null;

    /// <summary>Forgets what <paramref name="memberId"/> said (it left the consortium).</summary>
    public void Forget(string memberId)
    {
        _heard.TryRemove(memberId, out _);
        _warned.TryRemove(memberId, out _);
    }

    public static bool Matches(ConsortiumHello hello, Consortium own)
    {
        ArgumentNullException.ThrowIfNull(hello);
        ArgumentNullException.ThrowIfNull(own);
        return hello.Version == own.Version && string.Equals(hello.Digest, own.Digest, StringComparison.Ordinal);
    }
}
