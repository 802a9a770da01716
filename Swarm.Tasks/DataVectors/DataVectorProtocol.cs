using Swarm.Learning.DataVectors;

namespace Swarm.Tasks.DataVectors;

/// <summary>What a site asks a data-vector task's chain to record.</summary>
public abstract record DataVectorRequest(string Site);

/// <summary>A site's data vector: the SHA-256 of its blob (τ as little-endian float32), the pre-trained model it was
/// taken from, its sample count and the site's sequence number (a higher one replaces the site's earlier vector).
/// The bytes travel by blob transfer.</summary>
public sealed record VectorPublished(string Site, string VectorHash, string BaseHash, long SampleCount, long Sequence)
    : DataVectorRequest(Site);

/// <summary>A site's result for merge <paramref name="Merge"/>: the digest of the vector set it merged and the hash
/// of the merged model it computed.</summary>
public sealed record MergeVote(string Site, int Merge, string VectorSetDigest, string MergedHash) : DataVectorRequest(Site);

/// <summary>A site's proposal for the validated rule's λ in merge <paramref name="Merge"/>: the
/// <paramref name="Step"/>-th value (from 1) of the terms' grid (<see cref="DataVectorTaskTerms.Grid"/>), the one
/// that scored best on the site's own validation split. An index, not a number, so that every replica reads the
/// same λ.</summary>
public sealed record LambdaProposed(string Site, int Merge, int Step) : DataVectorRequest(Site);

/// <summary>A vector the chain counts: whose, its hash, weight and sequence.</summary>
public sealed record VectorRef(string Site, string VectorHash, long SampleCount, long Sequence);

/// <summary>What applying a committed request changed.</summary>
public abstract record DataVectorEvent;

public sealed record VectorAccepted(VectorRef Vector, bool Replaced, long Height) : DataVectorEvent;

/// <summary>A request the chain did not apply, and why (not a participant, another pre-trained model, a stale
/// sequence, a vote for a merge that is not open, a repeated vote).</summary>
public sealed record DataVectorRejected(DataVectorRequest Request, string Reason, long Height) : DataVectorEvent;

/// <summary>Merge <paramref name="Merge"/> is over these vectors (ordinal order of site id); every site now computes
/// θ_pre + Σ c_j τ_j under <paramref name="Rule"/> and votes the hash.</summary>
public sealed record MergeOpened(int Merge, IReadOnlyList<VectorRef> Included, string VectorSetDigest, MergeRule Rule,
    long Height) : DataVectorEvent;

/// <summary>At least <see cref="DataVectorTaskTerms.VotesToCommit"/> sites computed the same merged model.</summary>
public sealed record MergeCommitted(int Merge, IReadOnlyList<VectorRef> Included, string MergedHash,
    IReadOnlyList<string> Agreeing, long Height) : DataVectorEvent
{
    /// <summary>The agreed λ of a validated merge; null under the other rules.</summary>
    public double? Lambda { get; init; }
}

/// <summary>Under the validated rule: <see cref="DataVectorTaskTerms.VotesToCommit"/> sites proposed a λ for merge
/// <paramref name="Merge"/>, and the chain took the lower median of their proposals (<see cref="LambdaAgreement.Agree"/>),
/// grid step <paramref name="Step"/>; every site now merges with it.</summary>
public sealed record LambdaAgreed(int Merge, int Step, double Lambda, IReadOnlyList<string> Proposers, long Height) : DataVectorEvent;

/// <summary>A committed request that is not a data-vector request of the site that signed it (undecodable, another
/// site's name, a bad signature): nothing changed.</summary>
public sealed record DataVectorRequestIgnored(string ClientId, string Reason, long Height) : DataVectorEvent;

/// <summary>What a data-vector site receives.</summary>
public abstract record DataVectorSiteInput;

/// <summary>The site's fine-tuning of θ_pre finished (on its own schedule): θ_site and its training samples.</summary>
public sealed record FineTuned(float[] Parameters, long SampleCount) : DataVectorSiteInput;

/// <summary>The chain committed something the site must act on.</summary>
public sealed record ChainApplied(DataVectorEvent Event) : DataVectorSiteInput;

/// <summary>A blob the site asked for arrived (its hash is checked on arrival by the blob layer).</summary>
public sealed record VectorBlobArrived(string Hash, float[] Delta) : DataVectorSiteInput;

/// <summary>The host scored the candidates of <see cref="ScoreLambdas"/> on the site's validation split: one loss per λ,
/// in the grid's order (lower is better; a value that is not finite counts as the worst).</summary>
public sealed record LambdasScored(int Merge, IReadOnlyList<double> Losses) : DataVectorSiteInput;

/// <summary>What a data-vector site asks its host to do.</summary>
public abstract record DataVectorSiteOutput;

public sealed record SubmitToChain(DataVectorRequest Request) : DataVectorSiteOutput;

/// <summary>Offer the site's own vector as a blob under its hash.</summary>
public sealed record OfferBlob(string Hash, float[] Delta) : DataVectorSiteOutput;

public sealed record FetchBlob(string Hash) : DataVectorSiteOutput;

/// <summary>Under the validated rule: score θ_pre + λ·Σ τ for every λ of the grid on the site's validation split and
/// answer with <see cref="LambdasScored"/>; <paramref name="Candidates"/>[i] is the model for <paramref name="Lambdas"/>[i].</summary>
public sealed record ScoreLambdas(int Merge, IReadOnlyList<double> Lambdas, IReadOnlyList<float[]> Candidates) : DataVectorSiteOutput;

/// <summary>The site computed merge <paramref name="Merge"/> (before the chain committed it); <paramref name="Excluded"/>
/// names the included vectors whose bytes were unusable (wrong length, a value that is not finite), which every
/// honest site leaves out alike because they are a function of the same bytes.</summary>
public sealed record MergeComputed(int Merge, string MergedHash, float[] Parameters, IReadOnlyList<string> Excluded)
    : DataVectorSiteOutput;

/// <summary>The chain committed merge <paramref name="Merge"/> and the site holds that model.</summary>
public sealed record MergedModelAdopted(int Merge, string MergedHash, float[] Parameters) : DataVectorSiteOutput;
