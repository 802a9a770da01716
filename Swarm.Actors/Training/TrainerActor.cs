using Akka.Actor;
using Swarm.Actors.Platform;
using Swarm.Learning.Training;
using Swarm.Learning.Updates;
using Swarm.Tasks;

namespace Swarm.Actors.Training;

/// <summary>The Trainer actor of one site: a thin adapter that runs <see cref="SiteTrainer"/> on the actor's turn
/// and replies to the sender. The model is built in PreStart, so a restart after a crash starts from a fresh
/// model (the next round's instruction carries the global parameters).</summary>
public sealed class TrainerActor : SwarmActor
{
    private readonly Func<SiteTrainer> _factory;
    private readonly SemaphoreSlim? _computeGate;
    private SiteTrainer? _site;

    /// <param name="factory">Builds the site's trainer (model and data).</param>
    /// <param name="computeGate">When set, heavy work waits for it: sites of one process then train one after
    /// another, each with all of its libtorch threads, instead of oversubscribing a small machine's cores.</param>
    public TrainerActor(Func<SiteTrainer> factory, SemaphoreSlim? computeGate = null)
    {
        _factory = factory;
        _computeGate = computeGate;
    }

    /// <summary>Props on the training dispatcher (a thread of its own).</summary>
    public static Props Props(Func<SiteTrainer> factory, SemaphoreSlim? computeGate = null) =>
        Akka.Actor.Props.Create(() => new TrainerActor(factory, computeGate)).WithDispatcher(SwarmActorSystem.TrainingDispatcher);

    protected override void PreStart() => _site = _factory();

    protected override void PostStop() => _site?.Dispose();

    protected override void OnReceive(object message)
    {
        var site = _site!;
        switch (message)
        {
            case TrainIns train:
                // The gate opens for the next site as soon as the model is read out: this site's Δ, encoding and
                // hash (managed work, tens of milliseconds of a SmallCnn round) run beside the next site's epochs.
                Reply(site, TrainerWork.Train, train.Round, release => site.Train(train, release));
                break;
            case AggregateIns { Evaluate: false } aggregate:
                // Recomputing an aggregate is .NET work on the published bytes (no libtorch) and comes when every
                // site waits for it: off the actor's turn, so that it never waits behind this site's training or
                // scoring, side by side with the other sites' rather than in turns, and on a thread of its own
                // rather than in the thread pool's queue behind the protocol's work.
                var sender = Sender;
                Task.Factory.StartNew(() => Answer(site, TrainerWork.Aggregate, aggregate.Round, _ => Verify(site, aggregate), gated: false),
                        CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                    .PipeTo(sender, Self, failure: e => new TrainingFailed(site.SiteId, aggregate.Round, e.Message) { Work = TrainerWork.Aggregate });
                break;
            case AggregateIns aggregate:
                // Scoring the new model as well: libtorch on the site's model, so on the actor's turn.
                Reply(site, TrainerWork.Aggregate, aggregate.Round, _ => Verify(site, aggregate), gated: false);
                break;
            case EvaluateIns evaluate:
                Reply(site, TrainerWork.Score, evaluate.Round, () => site.Evaluate(evaluate), gated: false);
                break;
            case PersonalizeIns personalize:
                Reply(site, TrainerWork.Personalize, 0, () => site.Personalize(personalize));
                break;
            case TransferIns transfer:
                Reply(site, TrainerWork.Train, 1, () => site.Transfer(transfer));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private static AggregateRes Verify(SiteTrainer site, AggregateIns aggregate)
    {
        try
        {
            return site.Verify(aggregate);
        }
        finally
        {
            aggregate.Done?.Invoke();
        }
    }

    private void Reply(SiteTrainer site, TrainerWork kind, int round, Func<object> work, bool gated = true) =>
        Reply(site, kind, round, _ => work(), gated);

    private void Reply(SiteTrainer site, TrainerWork kind, int round, Func<Action, object> work, bool gated = true) =>
        Sender.Tell(Answer(site, kind, round, work, gated), Self);

    /// <summary>Runs <paramref name="work"/> (behind the gate when <paramref name="gated"/>); the work may open the
    /// gate early with the action it gets, once it no longer uses the site's model.</summary>
    private object Answer(SiteTrainer site, TrainerWork kind, int round, Func<Action, object> work, bool gated = true)
    {
        var gate = gated ? _computeGate : null;
        gate?.Wait();
        var open = 0;
        void Open()
        {
            if (Interlocked.Exchange(ref open, 1) == 0)
            {
                gate?.Release();
            }
        }
        try
        {
            return work(Open);
        }
        catch (Exception e) when (e is ArgumentException or TorchException or InvalidUpdateException)
        {
            // Bad instructions and engine errors are expected faults: answer them, keep the site alive.
            return new TrainingFailed(site.SiteId, round, e.Message) { Work = kind };
        }
        finally
        {
            Open();
        }
    }
}
