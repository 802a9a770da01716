namespace Swarm.Node.Identity;

/// <summary>The consortium a running node trusts, re-read from its file on demand (SIGHUP). Readers (the TLS
/// validator at every handshake, the cluster) take <see cref="Current"/>; <see cref="Reload"/> swaps in the file's
/// new content only when it is valid, names what changed, and keeps the old content otherwise, so a half-edited
/// or broken file never opens the node to strangers nor cuts it off.</summary>
public sealed class ConsortiumSource
{
    private readonly string? _path;
    private readonly Lock _reloading = new();
    private Consortium _current;

    /// <param name="path">The consortium file; null for a consortium given in memory (it cannot be reloaded).</param>
    /// <param name="initial">The consortium as the node started with it.</param>
    public ConsortiumSource(string? path, Consortium initial)
    {
        _path = path;
        _current = initial;
    }

    /// <summary>The consortium in force now.</summary>
    public Consortium Current => Volatile.Read(ref _current);

    /// <summary>Re-reads the file. On success the new content is in force and the result names the members that
    /// were removed or whose pinned keys changed (their links must close); on failure nothing changes and the
    /// result says why. A file whose version is lower than the one in force is refused (an old copy put back by
    /// mistake would re-admit removed members).</summary>
    /// <param name="selfId">This node's id: a file that no longer lists it is refused (the node would refuse itself).</param>
    public ConsortiumReload Reload(string selfId)
    {
        // SIGHUP and the admin API may ask at once: each reload compares against the version the previous one left.
        lock (_reloading)
        {
            return ReloadLocked(selfId);
        }
    }

    /// <summary>The path of the file, or null when the consortium was given in memory.</summary>
    public string? Path => _path;

    private ConsortiumReload ReloadLocked(string selfId)
    {
        var before = Current;
        if (_path is null)
        {
            return ConsortiumReload.Refused(before, "the consortium was not read from a file");
        }
        Consortium next;
        try
        {
            next = ConsortiumFile.Load(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ConsortiumFormatException)
        {
            return ConsortiumReload.Refused(before, e.Message);
        }
        if (next.Validate() is { Count: > 0 } problems)
        {
            return ConsortiumReload.Refused(before, $"{_path}: {string.Join("; ", problems)}");
        }
        if (next.Find(selfId) is null)
        {
            return ConsortiumReload.Refused(before, $"{_path} no longer lists this node ('{selfId}')");
        }
        if (next.Version < before.Version)
        {
            return ConsortiumReload.Refused(before,
                $"{_path} has version {next.Version}, older than the version {before.Version} in force (an old copy would re-admit removed members)");
        }
        var cut = before.Members
            .Where(m => next.Find(m.Id) is not { } now || now.Fingerprint != m.Fingerprint || now.SigningKey != m.SigningKey || now.Endpoint != m.Endpoint)
            .Select(m => m.Id)
            .ToArray();
        Volatile.Write(ref _current, next);
        return new ConsortiumReload(true, before, next, cut, null);
    }
}

/// <summary>What a reload did: whether the new file is in force, the consortium before and after, the ids of the
/// members removed or changed (their current links must close), or why the reload was refused.</summary>
public sealed record ConsortiumReload(bool Applied, Consortium Before, Consortium After, IReadOnlyList<string> Cut, string? Problem)
{
    public static ConsortiumReload Refused(Consortium current, string problem) => new(false, current, current, [], problem);

    /// <summary>Ids listed after the reload but not before.</summary>
    public IReadOnlyList<string> Added => [.. After.Members.Where(m => Before.Find(m.Id) is null).Select(m => m.Id)];

    /// <summary>Ids listed before the reload but not after.</summary>
    public IReadOnlyList<string> Removed => [.. Before.Members.Where(m => After.Find(m.Id) is null).Select(m => m.Id)];

    /// <summary>Ids listed before and after whose key, signing key or endpoint changed.</summary>
    public IReadOnlyList<string> Changed => [.. Cut.Where(id => After.Find(id) is not null)];

    /// <summary>One line for the log: "v4 0123456789ab -> v5 ba9876543210: added [..], removed [..], changed [..]".</summary>
    public string Summary =>
        $"{Before.VersionLabel} -> {After.VersionLabel}: added [{string.Join(", ", Added)}], removed [{string.Join(", ", Removed)}], changed [{string.Join(", ", Changed)}]";
}
