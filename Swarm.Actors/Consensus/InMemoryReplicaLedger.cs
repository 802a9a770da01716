using Swarm.Consensus;
using Swarm.Consensus.Blocks;

namespace Swarm.Actors.Consensus;

/// <summary>A ledger in memory, for simulation and benchmarks; it survives a simulated crash because the
/// simulator keeps the object, like a disk outlives a process.</summary>
public sealed class InMemoryReplicaLedger : IReplicaLedger
{
    private readonly List<CertifiedBlock> _blocks = [];
    private readonly Dictionary<string, byte[]> _state = [];

    public long Height => _blocks.Count;

    public void Append(CertifiedBlock block)
    {
        Invariant.Assert(block.Block.Height == _blocks.Count + 1, $"append of block {block.Block.Height} on height {_blocks.Count}");
        Invariant.Assert(_blocks.Count == 0 || _blocks[^1].Block.Hash == block.Block.PreviousHash,
            $"block {block.Block.Height} does not link to the stored chain");
        _blocks.Add(block);
    }

    public IReadOnlyList<CertifiedBlock> ReadRange(long from, long to)
    {
        var first = (int)Math.Max(1, from);
        var last = (int)Math.Min(to, _blocks.Count);
        return first > last ? [] : _blocks.GetRange(first - 1, last - first + 1);
    }

    public void SaveState(string key, byte[] value) => _state[key] = value;

    public byte[]? LoadState(string key) => _state.GetValueOrDefault(key);
}
