using Swarm.Consensus.Blocks;
using Swarm.Learning.Metrics;
using Swarm.Learning.Privacy.SecureAggregation;

namespace Swarm.Tasks;

/// <summary>What happens to a site, as <see cref="TaskSite.Step"/> takes it.</summary>
public abstract record SiteInput;

/// <summary>The site's adapter is up; <paramref name="Restarted"/> when it rebuilt the chain from a ledger that already
/// held blocks.</summary>
public sealed record SiteStarted(bool Restarted) : SiteInput;

/// <summary>A block the task's chain committed, with the requests it executed, in chain order.</summary>
public sealed record CommittedBlock(long Height, IReadOnlyList<ClientRequest> Executed);

/// <summary>Blocks the chain committed since the last input, in height order.</summary>
public sealed record ChainCommitted(IReadOnlyList<CommittedBlock> Blocks) : SiteInput;

/// <summary>The trainer finished round <paramref name="Round"/>'s local epochs: the update to publish, its mean loss,
/// <paramref name="Elapsed"/> from the instruction to the encoded update and <paramref name="TrainingTime"/> for
/// the epochs alone.</summary>
public sealed record UpdateTrained(int Round, PublishedUpdate Update, double MeanLoss, TimeSpan Elapsed, TimeSpan TrainingTime)
    : SiteInput
{
    /// <summary>The DP-SGD steps (clipped and noised) the trainer took for this update; under local DP the site
    /// publishes nothing unless they are the steps its privacy plan accounts for.</summary>
    public int DpSteps { get; init; }
}

/// <summary>The site's own recomputation of round <paramref name="Round"/>'s aggregate, or the
/// <paramref name="Error"/> that kept it from reproducing it.</summary>
public sealed record AggregateRecomputed(int Round, string AggregateHash, string ModelHash, float[]? Parameters, string? Error = null)
    : SiteInput
{
    /// <summary>Why each included update the aggregate left out was refused (<see cref="RoundAggregate.Compute"/>).</summary>
    public IReadOnlyList<string> Refused { get; init; } = [];
}

/// <summary>The score of round <paramref name="Round"/>'s final model on one of the site's own slices
/// (<paramref name="OnValidation"/>: the validation slice, the one a <see cref="ValidationReport"/> names).</summary>
public sealed record ModelScored(int Round, bool OnValidation, ClassificationResult Metrics, int Count) : SiteInput;

/// <summary>Personalization ended: the global and the personalized model on the site's own test slice.</summary>
public sealed record PersonalizationDone(ClassificationResult Global, ClassificationResult Personalized, int BestEpoch) : SiteInput;

/// <summary>The trainer could not carry out <paramref name="Work"/> for <paramref name="Round"/>.</summary>
public sealed record TrainerFailed(TrainerWork Work, int Round, string Reason) : SiteInput;

/// <summary>Blob bytes that reached the site: offered by a peer, sent on request, or found in the site's own store
/// (<paramref name="From"/> is then the site itself). Checked against <paramref name="Hash"/> before use.</summary>
public sealed record BlobArrived(string From, BlobKind Kind, string Hash, byte[] Bytes) : SiteInput;

/// <summary>A peer says it holds its update for <paramref name="Round"/> under <paramref name="Hash"/> (its
/// <see cref="OfferUpdate"/>; the adapter fetches the bytes). Only a hint: nothing is trusted before the chain names
/// the update, and the bytes still arrive by <see cref="BlobArrived"/> and are checked there.</summary>
public sealed record UpdateOffered(string Site, int Round, string Hash) : SiteInput;

/// <summary>The deadline set by <see cref="SetDeadline"/> for <paramref name="Round"/> passed.</summary>
public sealed record DeadlinePassed(int Round) : SiteInput;

/// <summary>The periodic retry: ask again for whatever the site still waits for.</summary>
public sealed record RetryDue : SiteInput
{
    public static RetryDue Instance { get; } = new();
}

/// <summary>The site's operator cancels the task.</summary>
public sealed record CancelRequested(string Reason) : SiteInput;

/// <summary>What the trainer was asked to do, so that a failure reaches the part of the round that asked.</summary>
public enum TrainerWork
{
    Train,
    Aggregate,
    Score,
    Personalize,
}

/// <summary>What the site's adapter carries out, in order.</summary>
public abstract record SiteOutput;

/// <summary>Train round <paramref name="Round"/> from <paramref name="Global"/> (the trainer's <c>TrainIns</c>).</summary>
public sealed record TrainRound(int Round, float[] Global, int Epochs, int EpochOffset, int TotalEpochs, double Theta) : SiteOutput;

/// <summary>Recompute round <paramref name="Round"/>'s aggregate from the included updates' bytes, which the site
/// holds (the adapter reads them from its blob store).</summary>
public sealed record RecomputeAggregate(int Round, float[] Global, IReadOnlyList<UpdateRef> Included) : SiteOutput;

/// <summary>Under secure aggregation: recompute round <paramref name="Round"/>'s aggregate from the included sites'
/// masked blobs (the adapter reads them from its store) and the chain's messages, with
/// <see cref="SecureRound.Compute"/>; answered by <see cref="AggregateRecomputed"/>.</summary>
public sealed record RecomputeSecureAggregate(int Round, float[] Global, IReadOnlyList<UpdateRef> Included, SecAggParameters Parameters,
    IReadOnlyList<AdvertiseKeys> Keys, IReadOnlyList<ShareKeys> Shares, UnmaskRequest Request, IReadOnlyList<UnmaskResponse> Responses)
    : SiteOutput
{
    /// <summary>Under Dopamine: each masked vector has weight 1 and the sum is divided by the included count
    /// (<see cref="DopamineTerms.WeightOf"/>); otherwise FedAvg by sample count.</summary>
    public bool Unweighted { get; init; }

    /// <summary>Runs <see cref="SecureRound.Compute"/> on the blobs <paramref name="bytesOf"/> gives.</summary>
    public AggregateRecomputed Run(Func<UpdateRef, byte[]> bytesOf, Func<string, int> indexOf)
    {
        var (aggregate, error) = SecureRound.Compute(Parameters, Global, Included, bytesOf, Keys, Shares, Request, Responses, indexOf, Unweighted);
        return aggregate is null
            ? new AggregateRecomputed(Round, "", "", null, error)
            : new AggregateRecomputed(Round, aggregate.AggregateHash, aggregate.ModelHash, aggregate.Parameters);
    }
}

/// <summary>Score round <paramref name="Round"/>'s final model on the validation slice.</summary>
public sealed record ScoreModel(int Round, float[] Parameters) : SiteOutput;

/// <summary>Fine-tune the final model on the site's own data.</summary>
public sealed record Personalize(float[] Global, int Epochs, double LearningRate) : SiteOutput;

/// <summary>Sign <paramref name="Request"/> and submit it to the task's chain.</summary>
public sealed record SubmitToChain(TaskRequest Request) : SiteOutput;

/// <summary>The site needs a blob: look in the own store first, else ask <paramref name="From"/>.</summary>
public sealed record FetchBlob(BlobKind Kind, string Hash, IReadOnlyList<string> From) : SiteOutput;

/// <summary>Keep a verified blob in the site's store (its own update, a peer's, a final model).</summary>
public sealed record StoreBlob(BlobKind Kind, string Hash, byte[] Bytes) : SiteOutput;

/// <summary>Tell <paramref name="To"/> that the site holds its update for <paramref name="Round"/> under
/// <paramref name="Hash"/> (already in its store), so they can fetch it before the chain names it. Only the hash
/// travels: the bytes go by blob transfer.</summary>
public sealed record OfferUpdate(int Round, string Hash, IReadOnlyList<string> To) : SiteOutput;

/// <summary>Answer <see cref="DeadlinePassed"/> for <paramref name="Round"/> after <paramref name="After"/> (replaces
/// the site's earlier deadline).</summary>
public sealed record SetDeadline(int Round, TimeSpan After) : SiteOutput;

/// <summary>The site's local training of a round is done (for the node's event stream).</summary>
public sealed record RoundTrained(int Round, double MeanLoss, TimeSpan Elapsed, TimeSpan TrainingTime) : SiteOutput;

/// <summary>The site adopted the model the chain finalized for <paramref name="Round"/>.</summary>
public sealed record ModelAdopted(FinalizedRound Round, float[] Parameters) : SiteOutput;

/// <summary>The site's part of the task ended (completed or cancelled).</summary>
public sealed record SiteEnded(TaskState State, string Detail, PersonalizationDone? Personalization) : SiteOutput;

/// <summary>A line for the site's protocol log.</summary>
public sealed record SiteNote(NoteLevel Level, string Text) : SiteOutput;

/// <summary>How loud a <see cref="SiteNote"/> is.</summary>
public enum NoteLevel
{
    Debug,
    Information,
    Warning,
}
