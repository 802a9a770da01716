using Swarm.Actors.Training;

namespace Swarm.Node.Simulation;

/// <summary>
/// The pure state of one round: collects published updates until k of the n members have sent one (the rest no
/// longer block the round), takes a proposed aggregate over exactly those updates, and accepts it only when every
/// included site has recomputed the same aggregate and model hashes from the same bytes. No I/O and no clock, so
/// the later PBFT integration replaces only the commit step (<see cref="Vote"/>) with a round block.
/// </summary>
public sealed class RoundCoordinator
{
    private readonly HashSet<string> _members;
    private readonly SortedDictionary<string, PublishedUpdate> _updates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AggregateRes> _votes = new(StringComparer.Ordinal);
    private RoundAggregate? _proposal;

    public RoundCoordinator(int round, IReadOnlyCollection<string> members, int quorum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quorum, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quorum, members.Count);
        Round = round;
        _members = new HashSet<string>(members, StringComparer.Ordinal);
        if (_members.Count != members.Count)
        {
            throw new ArgumentException("round members must be distinct", nameof(members));
        }
        Quorum = quorum;
    }

    public int Round { get; }

    public int Quorum { get; }

    public RoundPhase Phase { get; private set; } = RoundPhase.Collecting;

    public bool QuorumReached => _updates.Count >= Quorum;

    /// <summary>The updates of the round, in canonical (ordinal site id) order.</summary>
    public IReadOnlyList<PublishedUpdate> Updates => [.. _updates.Values];

    public RoundDecision? Decision { get; private set; }

    public OfferOutcome Offer(int round, PublishedUpdate update)
    {
        if (!_members.Contains(update.SiteId))
        {
            return OfferOutcome.UnknownSite;
        }
        if (round != Round)
        {
            return OfferOutcome.WrongRound;
        }
        if (Phase != RoundPhase.Collecting || QuorumReached)
        {
            return OfferOutcome.Closed;
        }
        if (_updates.ContainsKey(update.SiteId))
        {
            return OfferOutcome.Duplicate;
        }
        if (!string.Equals(RoundAggregate.HashOf(update.Bytes), update.Hash, StringComparison.Ordinal))
        {
            return OfferOutcome.HashMismatch;
        }
        _updates.Add(update.SiteId, update);
        return OfferOutcome.Accepted;
    }

    /// <summary>Fixes the aggregate the included sites are asked to reproduce.</summary>
    public void Propose(RoundAggregate proposal)
    {
        if (Phase != RoundPhase.Collecting || !QuorumReached)
        {
            throw new InvalidOperationException($"round {Round}: a proposal needs the quorum ({_updates.Count}/{Quorum}) and no earlier proposal");
        }
        _proposal = proposal;
        Phase = RoundPhase.Verifying;
    }

    /// <summary>Records one included site's recomputation; returns the decision once every included site voted.
    /// A single disagreeing site rejects the round: an aggregate is committed only if all reproduce it.</summary>
    public RoundDecision? Vote(AggregateRes vote)
    {
        if (Phase != RoundPhase.Verifying || vote.Round != Round || !_updates.ContainsKey(vote.SiteId))
        {
            return null;
        }
        _votes.TryAdd(vote.SiteId, vote);
        if (_votes.Count < _updates.Count)
        {
            return null;
        }
        var proposal = _proposal!;
        var dissent = _votes.Values
            .Where(v => v.Error is not null
                || !string.Equals(v.AggregateHash, proposal.AggregateHash, StringComparison.Ordinal)
                || !string.Equals(v.ModelHash, proposal.ModelHash, StringComparison.Ordinal))
            .OrderBy(v => v.SiteId, StringComparer.Ordinal)
            .ToArray();
        Phase = dissent.Length == 0 ? RoundPhase.Accepted : RoundPhase.Rejected;
        Decision = new RoundDecision(Round, dissent.Length == 0, proposal, Updates, dissent);
        return Decision;
    }
}
