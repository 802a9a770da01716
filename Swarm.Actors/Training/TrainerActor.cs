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
                Reply(site, TrainerWork.Train, train.Round, () => site.Train(train));
                break;
            case AggregateIns aggregate:
                // Recomputing an aggregate (and scoring it on the small validation slice) is short and comes when
                // every site waits for it: the sites do it side by side rather than in turns.
                Reply(site, TrainerWork.Aggregate, aggregate.Round, () => site.Verify(aggregate), gated: false);
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

    private void Reply(SiteTrainer site, TrainerWork kind, int round, Func<object> work, bool gated = true)
    {
        object answer;
        var gate = gated ? _computeGate : null;
        gate?.Wait();
        try
        {
            answer = work();
        }
        catch (Exception e) when (e is ArgumentException or TorchException or InvalidUpdateException)
        {
            // Bad instructions and engine errors are expected faults: answer them, keep the site alive.
            answer = new TrainingFailed(site.SiteId, round, e.Message) { Work = kind };
        }
        finally
        {
            gate?.Release();
        }
        Sender.Tell(answer, Self);
    }
}
