using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Pbft;

// Checkpoints and garbage collection (§4.3) and state transfer (§5.3, here over a certified chain: a replica
// that fell behind fetches committed blocks with their certificates and checks each before executing it).
public sealed partial class Replica
{
    private readonly Dictionary<long, Dictionary<int, SignedMessage>> _checkpointVotes = [];
    private readonly Dictionary<long, (Digest Hash, long TimestampMs)> _ownCheckpoints = [];
    private readonly HashSet<int> _serving = [];
    private long _fetchTarget;
    private long _fetchDeadline;
    private int _fetchPeer;
    private readonly Dictionary<long, Dictionary<int, (long View, Digest Hash)>> _observedCommits = [];
    private StableCheckpoint? _pendingStable;
    private readonly Dictionary<int, long> _farAhead = [];

    private void OnOwnCheckpoint(Block block, bool emit)
    {
        _ownCheckpoints[block.Height] = (block.Hash, block.TimestampMs);
        if (emit)
        {
            SignAndBroadcast(new Checkpoint(_id, block.Height, block.Hash, block.TimestampMs));
        }
        TryStabilize(block.Height);
    }

    private void OnCheckpoint(SignedMessage signed, Checkpoint cp)
    {
        if (cp.Sequence <= _stable.Sequence)
        {
            return;
        }
        if (cp.Sequence % _parameters.CheckpointIntervalBlocks != 0)
        {
            Reject(cp.Sender, $"checkpoint at {cp.Sequence}, not a multiple of {_parameters.CheckpointIntervalBlocks}");
            return;
        }
        var mine = _checkpointVotes.Where(e => e.Value.ContainsKey(cp.Sender)).Select(e => e.Key).ToList();
        if (mine.Count >= _options.PeerCheckpointVotesMax)
        {
            _checkpointVotes[mine.Min()].Remove(cp.Sender);
        }
        if (!_checkpointVotes.TryGetValue(cp.Sequence, out var votes))
        {
            votes = [];
            _checkpointVotes[cp.Sequence] = votes;
        }
        votes[cp.Sender] = signed;
        TryStabilize(cp.Sequence);
    }

    /// <summary>A checkpoint with a quorum of matching messages is stable (§4.3). If this replica has executed
    /// it, the log below it is discarded; if not, the replica is behind and fetches the missing blocks.</summary>
    private void TryStabilize(long sequence)
    {
        if (sequence <= _stable.Sequence || !_checkpointVotes.TryGetValue(sequence, out var votes))
        {
            return;
        }
        var config = ConfigurationFor(sequence);
        var quorum = config.Quorum;
        // §4.3: the quorum must agree on the whole checkpoint (sequence, digest and timestamp). Grouped by digest
        // alone, one forged timestamp let in first would become part of the proof, and every view change
        // carrying that proof would be refused, its sender's own included.
        var group = votes.Values.Where(v => config.Contains(v.Message.Sender))
            .GroupBy(v => (((Checkpoint)v.Message).BlockHash, ((Checkpoint)v.Message).TimestampMs))
            .FirstOrDefault(g => g.Count() >= quorum);
        if (group is null)
        {
            return;
        }
        var (hash, timestamp) = group.Key;
        var stable = new StableCheckpoint(sequence, hash, timestamp, group.Take(quorum).ToArray());
        if (sequence <= _lastExecuted)
        {
            if (ContradictsExecuted(stable, "a quorum of checkpoint messages"))
            {
                return;
            }
            MakeStable(stable);
        }
        else
        {
            _pendingStable = stable.Sequence > (_pendingStable?.Sequence ?? 0) ? stable : _pendingStable;
            RaiseFetchTarget(sequence, immediately: true);
        }
    }

    private void MakeStable(StableCheckpoint stable)
    {
        _stable = stable;
        foreach (var sequence in _slots.Keys.Where(s => s <= stable.Sequence).ToList())
        {
            _slots.Remove(sequence);
        }
        foreach (var sequence in _prepared.Keys.Where(s => s <= stable.Sequence).ToList())
        {
            _prepared.Remove(sequence);
        }
        foreach (var sequence in _checkpointVotes.Keys.Where(s => s <= stable.Sequence).ToList())
        {
            _checkpointVotes.Remove(sequence);
        }
        foreach (var sequence in _executed.Keys.Where(s => s < stable.Sequence).ToList())
        {
            _executed.Remove(sequence);
        }
        foreach (var sequence in _ownCheckpoints.Keys.Where(s => s < stable.Sequence).ToList())
        {
            _ownCheckpoints.Remove(sequence);
        }
        if (_pendingStable is not null && _pendingStable.Sequence <= stable.Sequence)
        {
            _pendingStable = null;
        }
        PersistHardState();
    }

    /// <summary>Every commit, whatever its view, is evidence of what the others committed. With f + 1 matching ones
    /// (so from at least one correct replica) for a sequence this replica has not executed, it may be behind: it
    /// may lack the proposal or blocks before it, or not be ordering in that view at all (it asked alone for a
    /// later view, or has not installed theirs). It waits FetchTimeoutTicks for the normal path, then fetches the
    /// certified blocks up to that sequence. So a replica outside the ordering follows the chain block by block, not
    /// only at checkpoints, and sees a chain's last blocks even when no checkpoint follows them; it votes nothing in
    /// that view, so its view-change message stays true (§4.4). f + 1, not 2f + 1: with f faulty replicas silent, a
    /// replica that fell behind hears only the 2f other correct ones, and what it fetches carries its certificate
    /// anyway.</summary>
    private void NoteCommit(Commit commit)
    {
        if (commit.Sequence <= _lastExecuted || !ConfigurationFor(commit.Sequence).Contains(commit.Sender))
        {
            return;
        }
        if (commit.Sequence > _lastExecuted + _parameters.WatermarkWindowBlocks)
        {
            NoteCommitFarAhead(commit);
            return;
        }
        if (!_observedCommits.TryGetValue(commit.Sequence, out var votes))
        {
            votes = [];
            _observedCommits[commit.Sequence] = votes;
        }
        var vote = (commit.View, commit.BlockHash);
        votes[commit.Sender] = vote;
        if (votes.Values.Count(v => v == vote) >= ConfigurationFor(commit.Sequence).WeakQuorum)
        {
            RaiseFetchTarget(commit.Sequence, immediately: false);
        }
    }

    /// <summary>A commit beyond the window above the last executed block: only the highest per sender is kept (n
    /// entries at most, whatever a flooding peer sends). Once f + 1 senders are that far ahead, at least one correct
    /// replica committed up to the (f + 1)-th highest of their claims, and this replica fetches up to it at once:
    /// it is too far behind for the normal path, and the others may order nothing more for a long time (a task's
    /// chain after its last round), so no checkpoint would come to show the way.</summary>
    private void NoteCommitFarAhead(Commit commit)
    {
        if (commit.Sequence <= _farAhead.GetValueOrDefault(commit.Sender))
        {
            return;
        }
        _farAhead[commit.Sender] = commit.Sequence;
        var horizon = _lastExecuted + _parameters.WatermarkWindowBlocks;
        var claims = _farAhead.Values.Where(s => s > horizon).OrderByDescending(s => s).ToList();
        var weakQuorum = _config.WeakQuorum;
        if (claims.Count >= weakQuorum)
        {
            RaiseFetchTarget(claims[weakQuorum - 1], immediately: true);
        }
    }

    private void RaiseFetchTarget(long sequence, bool immediately)
    {
        if (sequence <= _fetchTarget)
        {
            return;
        }
        var idle = _fetchTarget <= _lastExecuted;
        _fetchTarget = sequence;
        if (immediately)
        {
            StartFetch();
        }
        else if (idle)
        {
            _fetchDeadline = _ticks + _options.FetchTimeoutTicks;
        }
    }

    /// <summary>Asks the next peer, round robin, for the blocks above the last executed one.</summary>
    private void StartFetch()
    {
        if (_fetchTarget <= _lastExecuted)
        {
            return;
        }
        var peers = _config.Members.Where(m => m.Id != _id).ToArray();
        var peer = peers[_fetchPeer++ % peers.Length].Id;
        var from = _lastExecuted + 1;
        var to = Math.Min(_fetchTarget, from + _options.FetchBlocksMax - 1);
        SignAndSend(new FetchBlocks(_id, from, to), peer);
        _fetchDeadline = _ticks + _options.FetchTimeoutTicks;
    }

    /// <summary>Serves a peer's fetch from the ledger; one read at a time per peer bounds a flooding peer.</summary>
    private void OnFetch(FetchBlocks fetch)
    {
        if (fetch.Sender == _id || _serving.Contains(fetch.Sender))
        {
            return;
        }
        var from = Math.Max(1, fetch.FromHeight);
        var to = Math.Min(Math.Min(fetch.ToHeight, _lastExecuted), from + _options.FetchBlocksMax - 1);
        if (from > to)
        {
            return;
        }
        _serving.Add(fetch.Sender);
        Emit(new ReadBlocks(fetch.Sender, from, to));
    }

    private void OnBlocksRead(BlocksRead read)
    {
        _serving.Remove(read.Requester);
        if (read.Blocks.Count > 0)
        {
            SignAndSend(new BlocksReply(_id, read.Blocks), read.Requester);
        }
    }

    /// <summary>Each fetched block must extend the executed chain and carry a certificate of a quorum of the
    /// configuration in force at its height; the edge already verified the signatures in it.</summary>
    private void OnBlocksReply(BlocksReply reply)
    {
        foreach (var certified in reply.Blocks.OrderBy(b => b.Block.Height))
        {
            var block = certified.Block;
            if (block.Height <= _lastExecuted)
            {
                if (ExecutedAt(block.Height) is { } executed && executed.Hash != block.Hash
                    && CertificateVerifier.CheckStructure(ConfigurationFor(block.Height), block, certified.Certificate).Ok)
                {
                    DetectFork(block.Height, $"replica {reply.Sender} sent a certified block {block.Hash} at {block.Height}, this replica executed {executed.Hash}");
                    return;
                }
                continue;
            }
            if (block.Height != _lastExecuted + 1)
            {
                return;
            }
            var verdict = CertificateVerifier.CheckStructure(ConfigurationFor(block.Height), block, certified.Certificate);
            if (!verdict.Ok || block.PreviousHash != _lastExecutedHash)
            {
                Reject(reply.Sender, verdict.Ok ? $"fetched block {block.Height} does not extend the executed chain" : verdict.Reason);
                return;
            }
            Execute(certified, emit: true);
            if (_pendingStable is { } pending && pending.Sequence == _lastExecuted)
            {
                if (ContradictsExecuted(pending, "a stable checkpoint"))
                {
                    return;
                }
                MakeStable(pending);
            }
        }
        if (_fetchTarget > _lastExecuted)
        {
            StartFetch();
        }
    }

    /// <summary>Whether a checkpoint that a quorum vouches for names another block at its height than the one this
    /// replica executed there; if so the fork is reported (<see cref="DetectFork"/>).</summary>
    private bool ContradictsExecuted(StableCheckpoint checkpoint, string source)
    {
        if (ExecutedAt(checkpoint.Sequence) is not { } executed
            || (executed.Hash == checkpoint.Hash && executed.TimestampMs == checkpoint.TimestampMs))
        {
            return false;
        }
        DetectFork(checkpoint.Sequence,
            $"{source} names block {checkpoint.Hash} at {checkpoint.Sequence}, this replica executed {executed.Hash}");
        return true;
    }
}
