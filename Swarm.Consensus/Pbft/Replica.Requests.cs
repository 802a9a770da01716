using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Pbft;

// Client requests: duplicate suppression, relaying, batching into blocks by the primary.
public sealed partial class Replica
{
    private readonly LinkedList<ClientRequest> _pendingOrder = new();
    private readonly Dictionary<RequestKey, LinkedListNode<ClientRequest>> _pending = [];
    private readonly Dictionary<RequestKey, ClientRequest> _inFlight = [];
    private readonly Dictionary<RequestKey, int> _pendingOrigin = [];
    private readonly Dictionary<int, int> _pendingByPeer = [];
    private readonly Dictionary<string, long> _lastExecutedRequest = [];
    private readonly List<ClientRequest> _relay = [];
    private (long Sequence, Digest Hash, long TimestampMs) _proposeCursor;
    private long _highestAccepted;
    private long _progressDeadline;

    /// <summary>True while something should make progress: the backup's request timer runs (§4.4).</summary>
    private bool Waiting => _pending.Count > 0 || _inFlight.Count > 0 || _highestAccepted > _lastExecuted;

    /// <summary>A request submitted at a backup is relayed to all replicas. One submitted at the primary of an
    /// installed view is proposed directly: relaying it would not help against a primary that withholds it (it
    /// would withhold the relay too), and if a view change comes first the periodic relay carries it.</summary>
    private void OnSubmit(ClientRequest request)
    {
        if (Inadmissible(request) is { } reason)
        {
            Reject(_id, reason);
            return;
        }
        if (AddPending(request, _id) && !(IsPrimary && _mode == ReplicaMode.Normal))
        {
            _relay.Add(request);
            if (_relay.Count >= _parameters.BatchSizeMax)
            {
                FlushRelay();
            }
        }
    }

    private void OnRequestBatch(RequestBatch batch)
    {
        if (batch.Sender == _id)
        {
            return;
        }
        if (batch.Requests.Count > _parameters.BatchSizeMax)
        {
            Reject(batch.Sender, $"request batch of {batch.Requests.Count} exceeds BatchSizeMax {_parameters.BatchSizeMax}");
            return;
        }
        foreach (var request in batch.Requests)
        {
            if (_pendingByPeer.GetValueOrDefault(batch.Sender) >= _options.PeerPendingRequestsMax)
            {
                Reject(batch.Sender, $"peer has {_options.PeerPendingRequestsMax} requests waiting (PeerPendingRequestsMax)");
                return;
            }
            if (Inadmissible(request) is { } reason)
            {
                Reject(batch.Sender, reason);
                continue;
            }
            AddPending(request, batch.Sender);
        }
    }

    /// <summary>Why a request may not be relayed, proposed or prepared, or null: its id is beyond the client's window
    /// (<see cref="ReplicaOptions.RequestIdWindowMax"/> above the larger of its last executed id and this replica's
    /// clock in microseconds), or it is a membership change without the approvals of a quorum of the configuration
    /// it changes (<see cref="MembershipChange"/>). Signatures were checked at the edge.</summary>
    private string? Inadmissible(ClientRequest request)
    {
        var last = _lastExecutedRequest.GetValueOrDefault(request.ClientId, 0);
        // Before the first tick the clock is unknown and the window waits for it (only the client could send such an id).
        var clockUs = (Int128)_nowMs * 1_000;
        if (_clockKnown && request.RequestId - Int128.Max(last, clockUs) > _options.RequestIdWindowMax)
        {
            return $"request {request.RequestId} of client '{request.ClientId}' is more than {_options.RequestIdWindowMax} above " +
                $"max(its last executed id {last}, this replica's clock {clockUs} µs) (RequestIdWindowMax)";
        }
        if (request.ClientId == MembershipChange.ClientId
            && (MembershipChange.TryParse(request) is not { } change || !change.ApprovedBy(_nextConfig ?? _config)))
        {
            return $"membership request {request.RequestId} lacks the approvals of a quorum of members (or is malformed)";
        }
        return null;
    }

    /// <summary>Adds a request unless it was executed or is known already (§4.1 exactly-once semantics).</summary>
    private bool AddPending(ClientRequest request, int origin)
    {
        var key = request.Key;
        if (request.ClientId.Length == 0 || !request.RunsAfter(_lastExecutedRequest)
            || _pending.ContainsKey(key) || _inFlight.ContainsKey(key) || _pending.Count >= _options.PendingRequestsMax)
        {
            return false;
        }
        _pending[key] = _pendingOrder.AddLast(request);
        _pendingOrigin[key] = origin;
        _pendingByPeer[origin] = _pendingByPeer.GetValueOrDefault(origin) + 1;
        return true;
    }

    private void RemovePending(RequestKey key)
    {
        if (_pending.Remove(key, out var node))
        {
            _pendingOrder.Remove(node);
        }
        if (_pendingOrigin.Remove(key, out var origin))
        {
            _pendingByPeer[origin]--;
        }
    }

    /// <summary>Requests of an accepted pre-prepare are no longer waiting for a proposal.</summary>
    private void MarkInFlight(Block block)
    {
        foreach (var request in block.Requests)
        {
            RemovePending(request.Key);
            if (request.RunsAfter(_lastExecutedRequest))
            {
                _inFlight[request.Key] = request;
            }
        }
    }

    /// <summary>After a view change, requests proposed in the old view wait for a proposal again.</summary>
    private void RequeueInFlight()
    {
        foreach (var request in _inFlight.Values.OrderBy(r => r.ClientId, StringComparer.Ordinal).ThenBy(r => r.RequestId))
        {
            var key = request.Key;
            _pending[key] = _pendingOrder.AddFirst(request);
        }
        _inFlight.Clear();
        _highestAccepted = _lastExecuted;
    }

    /// <summary>Relayed requests can be lost; like a PBFT client retransmitting to all replicas (§4.1), a replica
    /// relays its oldest waiting requests again every half request timeout.</summary>
    private void RelayAgain()
    {
        if (_pending.Count == 0 || _ticks % Math.Max(1, _options.RequestTimeoutTicks / 2) != 0)
        {
            return;
        }
        var oldest = _pendingOrder.Take(_parameters.BatchSizeMax).ToArray();
        SignAndBroadcast(new RequestBatch(_id, oldest));
    }

    private void FlushRelay()
    {
        if (_relay.Count == 0)
        {
            return;
        }
        SignAndBroadcast(new RequestBatch(_id, _relay.ToArray()));
        _relay.Clear();
    }

    /// <summary>The primary batches waiting requests into blocks, keeping at most PipelineBlocksMax blocks above
    /// the last executed one and staying below the high watermark (§4.2, §4.3).</summary>
    private void TryPropose()
    {
        if (_mode != ReplicaMode.Normal || ConfigurationFor(_proposeCursor.Sequence + 1).Primary(_view) != _id)
        {
            return;
        }
        if (_proposeCursor.Sequence < _lastExecuted)
        {
            _proposeCursor = (_lastExecuted, _lastExecutedHash, _lastExecutedTimestamp);
        }
        while (_pending.Count > 0)
        {
            var next = _proposeCursor.Sequence + 1;
            if (next > _stable.Sequence + _parameters.WatermarkWindowBlocks || next - _lastExecuted > _options.PipelineBlocksMax
                || !CanVote(next))
            {
                return;
            }
            var batch = new List<ClientRequest>(Math.Min(_pending.Count, _parameters.BatchSizeMax));
            while (batch.Count < _parameters.BatchSizeMax && _pendingOrder.First is { } first)
            {
                batch.Add(first.Value);
                RemovePending(first.Value.Key);
                _inFlight[first.Value.Key] = first.Value;
            }
            var timestamp = Math.Max(_nowMs, _proposeCursor.TimestampMs);
            var block = new Block(next, _proposeCursor.Hash, _id, _view, timestamp, batch);
            _proposeCursor = (next, block.Hash, block.TimestampMs);
            Vote(new PrePrepare(_id, _view, next, block), next);
        }
    }
}
