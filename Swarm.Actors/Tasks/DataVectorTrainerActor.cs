using Akka.Actor;
using Swarm.Actors.Platform;

namespace Swarm.Actors.Tasks;

/// <summary>The trainer of a data-vector site: runs <see cref="DataVectorTrainer"/> on a thread of its own (the
/// training dispatcher), so a fine-tuning that takes minutes never blocks the site's chain or its peers, and replies
/// to the sender. A failure is answered with <see cref="DataVectorTrainingFailed"/>, never thrown.</summary>
public sealed class DataVectorTrainerActor : SwarmActor
{
    private readonly Func<DataVectorTrainer> _factory;
    private readonly SemaphoreSlim? _computeGate;
    private DataVectorTrainer? _trainer;

    /// <param name="factory">Builds the site's trainer (model and data).</param>
    /// <param name="computeGate">When set, fine-tuning waits for it (tasks of one node take turns on the cores).</param>
    public DataVectorTrainerActor(Func<DataVectorTrainer> factory, SemaphoreSlim? computeGate)
    {
        _factory = factory;
        _computeGate = computeGate;
    }

    public static Props Props(Func<DataVectorTrainer> factory, SemaphoreSlim? computeGate = null) =>
        Akka.Actor.Props.Create(() => new DataVectorTrainerActor(factory, computeGate)).WithDispatcher(SwarmActorSystem.TrainingDispatcher);

    protected override void PreStart() => _trainer = _factory();

    protected override void PostStop() => _trainer?.Dispose();

    protected override void OnReceive(object message)
    {
        var trainer = _trainer!;
        switch (message)
        {
            case FineTuneIns ins:
                _computeGate?.Wait();
                try
                {
                    var (parameters, samples, elapsed) = trainer.FineTune();
                    Sender.Tell(new FineTuneRes(ins.Publication, parameters, samples, elapsed));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Sender.Tell(new DataVectorTrainingFailed("fine-tune", e.Message));
                }
                finally
                {
                    _computeGate?.Release();
                }
                break;
            case ScoreLambdasIns ins:
                try
                {
                    Sender.Tell(new ScoreLambdasRes(ins.Merge, trainer.ValidationLosses(ins.Candidates)));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Sender.Tell(new DataVectorTrainingFailed("score λ", e.Message));
                }
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}

/// <summary>Fine-tune for publication <paramref name="Publication"/> (its index in the site's schedule).</summary>
public sealed record FineTuneIns(int Publication);

public sealed record FineTuneRes(int Publication, float[] Parameters, long Samples, TimeSpan Elapsed);

/// <summary>Score the validated rule's candidate merges of merge <paramref name="Merge"/> on the validation split.</summary>
public sealed record ScoreLambdasIns(int Merge, IReadOnlyList<float[]> Candidates);

public sealed record ScoreLambdasRes(int Merge, IReadOnlyList<double> Losses);

public sealed record DataVectorTrainingFailed(string Work, string Reason);

/// <summary>Published on the node's event stream when a data-vector site adopts a committed merge.</summary>
public sealed record SiteMergeAdopted(string TaskId, string Site, int Merge, string MergedHash, float[] Parameters);
