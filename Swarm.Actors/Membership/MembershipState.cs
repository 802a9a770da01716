namespace Swarm.Actors.Membership;

/// <summary>The pure membership state machine of one node: gossiped view, failure detectors and the leader-less
/// rules below. Time and randomness are inputs (a time since any fixed origin, a seeded <see cref="Random"/>);
/// the <c>GossipActor</c> feeds it and carries out its outputs.
/// <para>Rules (each one only raises an entry in the (incarnation, status) order, so applying them in any order
/// on any member reaches the same view; see docs/operations.md):</para>
/// <list type="number">
/// <item>A node starts as Joining with an incarnation above any of its earlier lives (the node takes the
/// larger of wall-clock milliseconds and its stored last incarnation + 1). Gossip carries it to the seeds.</item>
/// <item>Joining becomes Up when the node itself receives gossip from a peer that already lists it (its join was
/// acknowledged), or at once when it has no seeds at all (a cluster of one).</item>
/// <item>Joining or Up becomes Unreachable when this member's φ detector for it passes the threshold.</item>
/// <item>Unreachable becomes Down once this member has seen it unreachable for <c>down-after</c>.</item>
/// <item>Leaving becomes Removed when this member's φ detector for it passes the threshold.</item>
/// <item>A node that finds itself Unreachable refutes it with incarnation + 1 (SWIM, Das et al. 2002, section
/// 4.2); one that finds itself Down or Removed while running rejoins as Joining with incarnation + 1.</item>
/// </list></summary>
public sealed class MembershipState
{
    private readonly MembershipOptions _options;
    private readonly Random _random;
    private readonly IReadOnlyList<string> _seeds;
    private readonly Dictionary<string, (long Incarnation, PhiAccrualFailureDetector Detector)> _detectors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Incarnation, TimeSpan Since)> _unreachableSince = new(StringComparer.Ordinal);

    /// <param name="selfId">This node's id.</param>
    /// <param name="incarnation">This life's incarnation, above every earlier one of the same node.</param>
    /// <param name="seeds">Other nodes to contact to join (the consortium's members); this node's id is ignored.</param>
    /// <param name="options">Failure detection and down timing.</param>
    /// <param name="random">The only source of randomness (gossip targets): seeded in tests.</param>
    public MembershipState(string selfId, long incarnation, IEnumerable<string> seeds, MembershipOptions options, Random random)
    {
        SelfId = selfId;
        _options = options;
        _random = random;
        _seeds = seeds.Where(s => s != selfId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        View = MembershipView.Empty.With(new Member(selfId, incarnation, MemberStatus.Joining));
    }

    public string SelfId { get; }

    public MembershipView View { get; private set; }

    public Member Self => View.Get(SelfId)!;

    /// <summary>True once <see cref="Leave"/> was called: the node no longer refutes or rejoins.</summary>
    public bool IsLeaving { get; private set; }

    /// <summary>φ of this node's detector for <paramref name="nodeId"/>; 0 when it has none.</summary>
    public double PhiOf(string nodeId, TimeSpan now) => _detectors.TryGetValue(nodeId, out var d) ? d.Detector.Phi(now) : 0;

    /// <summary>One gossip round (every <c>gossip.interval</c>): apply rules 2-5, then heartbeat every live peer and
    /// gossip to randomly chosen ones.</summary>
    public IReadOnlyList<MembershipOutput> Tick(TimeSpan now)
    {
        var outputs = new List<MembershipOutput>();
        if (Self.Status == MemberStatus.Joining && _seeds.Count == 0)
        {
            Apply(View.With(Self with { Status = MemberStatus.Up }), now, outputs);
        }
        Apply(Detect(View, now), now, outputs);
        var heartbeat = new Heartbeat(SelfId, Self.Incarnation);
        outputs.AddRange(LivePeers().Select(peer => new SendHeartbeat(peer, heartbeat)));
        outputs.AddRange(PickGossipTargets().Select(peer => new SendGossip(peer, new GossipPayload(SelfId, View, IsReply: false))));
        return outputs;
    }

    /// <summary>A gossip message arrived: it is also a sign of life of its sender. Merges, refutes or rejoins
    /// (rule 6), acknowledges a join (rule 2) and answers a push whose sender lacked something (push-pull).</summary>
    public IReadOnlyList<MembershipOutput> OnGossip(GossipPayload gossip, TimeSpan now)
    {
        var outputs = new List<MembershipOutput>();
        if (gossip.From == SelfId)
        {
            return outputs;
        }
        Apply(View.Merge(gossip.View), now, outputs);
        FeedDetector(gossip.From, gossip.View.Get(gossip.From)?.Incarnation, now);
        DefendSelf(now, outputs);
        if (Self.Status == MemberStatus.Joining && gossip.View.Get(SelfId)?.Incarnation == Self.Incarnation)
        {
            Apply(View.With(Self with { Status = MemberStatus.Up }), now, outputs);
        }
        if (!gossip.IsReply && !gossip.View.Equals(View))
        {
            outputs.Add(new SendGossip(gossip.From, new GossipPayload(SelfId, View, IsReply: true)));
        }
        return outputs;
    }

    public void OnHeartbeat(Heartbeat heartbeat, TimeSpan now) => FeedDetector(heartbeat.From, heartbeat.Incarnation, now);

    /// <summary>Graceful leave: this node becomes Leaving and tells every live peer at once rather than waiting for
    /// random gossip, so the cluster removes it without going through Unreachable and Down.</summary>
    public IReadOnlyList<MembershipOutput> Leave(TimeSpan now)
    {
        var outputs = new List<MembershipOutput>();
        IsLeaving = true;
        if (Self.Status < MemberStatus.Leaving)
        {
            Apply(View.With(Self with { Status = MemberStatus.Leaving }), now, outputs);
        }
        outputs.AddRange(LivePeers().Select(peer => new SendGossip(peer, new GossipPayload(SelfId, View, IsReply: false))));
        return outputs;
    }

    /// <summary>Rules 3-5 on a copy of the view.</summary>
    private MembershipView Detect(MembershipView view, TimeSpan now)
    {
        foreach (var member in view.Members.Values.Where(m => m.NodeId != SelfId))
        {
            var silent = _detectors.TryGetValue(member.NodeId, out var d) && d.Incarnation == member.Incarnation && !d.Detector.IsAvailable(now);
            var next = member.Status switch
            {
                MemberStatus.Joining or MemberStatus.Up when silent => MemberStatus.Unreachable,
                MemberStatus.Leaving when silent => MemberStatus.Removed,
                MemberStatus.Unreachable when UnreachableFor(member, now) >= _options.DownAfter => MemberStatus.Down,
                _ => member.Status,
            };
            view = view.With(member with { Status = next });
        }
        return view;
    }

    private TimeSpan UnreachableFor(Member member, TimeSpan now) =>
        _unreachableSince.TryGetValue(member.NodeId, out var u) && u.Incarnation == member.Incarnation ? now - u.Since : TimeSpan.Zero;

    /// <summary>Rule 6: nobody but this node may say it is alive, so it answers a suspicion with a new incarnation.</summary>
    private void DefendSelf(TimeSpan now, List<MembershipOutput> outputs)
    {
        var self = Self;
        if (IsLeaving || self.Status is MemberStatus.Joining or MemberStatus.Up)
        {
            return;
        }
        var status = self.Status == MemberStatus.Unreachable ? MemberStatus.Up : MemberStatus.Joining;
        Apply(View.With(new Member(SelfId, self.Incarnation + 1, status)), now, outputs);
    }

    private void FeedDetector(string nodeId, long? incarnation, TimeSpan now)
    {
        if (_detectors.TryGetValue(nodeId, out var d) && d.Incarnation == incarnation)
        {
            d.Detector.Heartbeat(now);
        }
    }

    /// <summary>Adopts <paramref name="next"/>: reports each changed entry and keeps the detectors and the
    /// unreachable timers in step with the incarnations and statuses now held.</summary>
    private void Apply(MembershipView next, TimeSpan now, List<MembershipOutput> outputs)
    {
        if (ReferenceEquals(next, View))
        {
            return;
        }
        foreach (var member in next.Members.Values)
        {
            var previous = View.Get(member.NodeId);
            if (previous != member)
            {
                outputs.Add(new MemberChanged(previous, member));
                Track(member, now);
            }
        }
        View = next;
    }

    private void Track(Member member, TimeSpan now)
    {
        if (member.NodeId == SelfId)
        {
            return;
        }
        if (!member.IsAlive)
        {
            _detectors.Remove(member.NodeId);
        }
        else if (!_detectors.TryGetValue(member.NodeId, out var d) || d.Incarnation != member.Incarnation)
        {
            // A new life starts with a synthetic heartbeat at the moment it became known, so a member that
            // never reaches this node is still suspected after the expected interval plus the acceptable pause.
            var detector = new PhiAccrualFailureDetector(_options.FailureDetector);
            detector.Heartbeat(now);
            _detectors[member.NodeId] = (member.Incarnation, detector);
        }
        if (member.Status == MemberStatus.Unreachable)
        {
            _unreachableSince.TryAdd(member.NodeId, (member.Incarnation, now));
            if (_unreachableSince[member.NodeId].Incarnation != member.Incarnation)
            {
                _unreachableSince[member.NodeId] = (member.Incarnation, now);
            }
        }
        else
        {
            _unreachableSince.Remove(member.NodeId);
        }
    }

    private IEnumerable<string> LivePeers() =>
        View.Members.Values.Where(m => m.NodeId != SelfId && m.IsAlive).Select(m => m.NodeId);

    /// <summary>Uniformly random distinct targets among the live peers and the seeds (seeds even when down: a node
    /// that restarted, or the other side of a healed partition, is found again through them).</summary>
    private IEnumerable<string> PickGossipTargets()
    {
        var candidates = LivePeers().Concat(_seeds).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var picked = new List<string>();
        while (picked.Count < _options.GossipFanout && candidates.Count > 0)
        {
            var index = _random.Next(candidates.Count);
            picked.Add(candidates[index]);
            candidates.RemoveAt(index);
        }
        return picked;
    }
}
