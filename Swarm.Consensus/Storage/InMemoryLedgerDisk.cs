namespace Swarm.Consensus.Storage;

/// <summary>
/// What a node's disk holds for the in-memory ledger: the chains of every <see cref="InMemoryLedgerStore"/> opened
/// on it. It outlives the stores, so the simulator can "crash" a replica (drop its store) and restart it from the
/// same disk, as a real node restarts from its database file. Safe for concurrent stores.
/// </summary>
public sealed class InMemoryLedgerDisk
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<StoredBlock>> _blocks = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Chain, string Key), byte[]> _state = [];

    /// <summary>Runs <paramref name="action"/> on the blocks of <paramref name="chainId"/> under the disk's lock.</summary>
    internal T WithChain<T>(string chainId, Func<List<StoredBlock>, T> action)
    {
        lock (_gate)
        {
            if (!_blocks.TryGetValue(chainId, out var chain))
            {
                chain = [];
                _blocks.Add(chainId, chain);
            }
            return action(chain);
        }
    }

    internal void SaveState(string chainId, string key, byte[] value)
    {
        lock (_gate)
        {
            _state[(chainId, key)] = (byte[])value.Clone();
        }
    }

    internal byte[]? LoadState(string chainId, string key)
    {
        lock (_gate)
        {
            return _state.TryGetValue((chainId, key), out var value) ? (byte[])value.Clone() : null;
        }
    }
}
