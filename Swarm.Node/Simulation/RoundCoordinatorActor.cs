using Swarm.Actors.Runtime;
using Swarm.Actors.Training;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Updates;

namespace Swarm.Node.Simulation;

/// <summary>Drives rounds over the sites' Trainer actors: broadcasts the global model, collects updates into a
/// <see cref="RoundCoordinator"/> until the quorum, proposes the aggregate, asks every included site to reproduce
/// it and reports the decision to whoever asked for the round. One round at a time.</summary>
public sealed class RoundCoordinatorActor : Actor
{
    private readonly IReadOnlyDictionary<string, ActorRef> _sites;
    private readonly int _quorum;
    private readonly IAggregationStrategy _strategy;
    private readonly Action<TrainRes>? _onSiteTrained;
    private readonly List<TrainRes> _results = [];
    private readonly List<TrainingFailed> _failures = [];
    private RoundCoordinator? _round;
    private TrainIns? _instruction;
    private ActorRef? _requester;

    /// <param name="sites">Each member site's Trainer actor by site id.</param>
    /// <param name="quorum">Updates that close a round (k of n).</param>
    /// <param name="strategy">The task's aggregation strategy.</param>
    /// <param name="onSiteTrained">Called on the coordinator's turn for each site's training result (progress).</param>
    public RoundCoordinatorActor(IReadOnlyDictionary<string, ActorRef> sites, int quorum, IAggregationStrategy strategy,
        Action<TrainRes>? onSiteTrained = null)
    {
        _sites = sites;
        _quorum = quorum;
        _strategy = strategy;
        _onSiteTrained = onSiteTrained;
    }

    protected override void Receive(object message)
    {
        switch (message)
        {
            case RunRound run when _round is null || _round.Decision is not null:
                Start(run.Instruction);
                break;
            case RunRound run:
                Sender.Tell(new RoundFailed(run.Instruction.Round, $"round {_round.Round} is still running"), Self);
                break;
            case TrainRes result:
                OnTrained(result);
                break;
            case AggregateRes vote:
                OnVote(vote);
                break;
            case TrainingFailed failure:
                OnFailure(failure);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Start(TrainIns instruction)
    {
        _round = new RoundCoordinator(instruction.Round, [.. _sites.Keys], _quorum);
        _instruction = instruction;
        _requester = Sender;
        _results.Clear();
        _failures.Clear();
        foreach (var site in _sites.Values)
        {
            site.Tell(instruction, Self);
        }
    }

    private void OnTrained(TrainRes result)
    {
        var round = _round;
        if (round is null || round.Offer(result.Round, result.Update) != OfferOutcome.Accepted)
        {
            // Stale, duplicate or late (past the quorum) updates are not part of this round.
            return;
        }
        _results.Add(result);
        _onSiteTrained?.Invoke(result);
        if (!round.QuorumReached)
        {
            return;
        }
        RoundAggregate proposal;
        try
        {
            proposal = RoundAggregate.Compute(_strategy, _instruction!.GlobalParameters, round.Updates);
        }
        catch (Exception e) when (e is InvalidUpdateException or ArgumentException)
        {
            Finish(new RoundFailed(round.Round, e.Message));
            return;
        }
        round.Propose(proposal);
        var check = new AggregateIns(round.Round, _instruction.GlobalParameters, round.Updates);
        foreach (var update in round.Updates)
        {
            _sites[update.SiteId].Tell(check, Self);
        }
    }

    private void OnVote(AggregateRes vote)
    {
        if (_round?.Vote(vote) is { } decision)
        {
            var included = decision.Updates.Select(u => u.SiteId).ToHashSet(StringComparer.Ordinal);
            Finish(new RoundCompleted(decision, [.. _results.Where(r => included.Contains(r.Update.SiteId))]));
        }
    }

    private void OnFailure(TrainingFailed failure)
    {
        var round = _round;
        if (round is null || failure.Round != round.Round || round.Decision is not null)
        {
            return;
        }
        _failures.Add(failure);
        if (round.Phase == RoundPhase.Collecting && _sites.Count - _failures.Count < _quorum)
        {
            Finish(new RoundFailed(round.Round, "quorum unreachable: " + string.Join("; ", _failures.Select(f => $"{f.SiteId}: {f.Reason}"))));
        }
    }

    private void Finish(object outcome)
    {
        _requester?.Tell(outcome, Self);
        _requester = null;
        if (outcome is RoundFailed)
        {
            _round = null;
        }
    }
}
