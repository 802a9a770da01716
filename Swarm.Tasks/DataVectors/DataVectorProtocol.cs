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
    IReadOnlyList<string> Agreeing, long Height) : DataVectorEvent;

/// <summary>What a data-vector site receives.</summary>
public abstract record DataVectorSiteInput;

/// <summary>The site's fine-tuning of θ_pre finished (on its own schedule): θ_site and its training samples.</summary>
public sealed record FineTuned(float[] Parameters, long SampleCount) : DataVectorSiteInput;

/// <summary>The chain committed something the site must act on.</summary>
public sealed record ChainApplied(DataVectorEvent Event) : DataVectorSiteInput;

/// <summary>A blob the site asked for arrived (its hash is checked on arrival by the blob layer).</summary>
public sealed record VectorBlobArrived(string Hash, float[] Delta) : DataVectorSiteInput;

/// <summary>What a data-vector site asks its host to do.</summary>
public abstract record DataVectorSiteOutput;

public sealed record SubmitToChain(DataVectorRequest Request) : DataVectorSiteOutput;

/// <summary>Offer the site's own vector as a blob under its hash.</summary>
public sealed record OfferBlob(string Hash, float[] Delta) : DataVectorSiteOutput;

public sealed record FetchBlob(string Hash) : DataVectorSiteOutput;

/// <summary>The site computed merge <paramref name="Merge"/> (before the chain committed it); <paramref name="Excluded"/>
/// names the included vectors whose bytes were unusable (wrong length, a value that is not finite), which every
/// honest site leaves out alike because they are a function of the same bytes.</summary>
public sealed record MergeComputed(int Merge, string MergedHash, float[] Parameters, IReadOnlyList<string> Excluded)
    : DataVectorSiteOutput;

/// <summary>The chain committed merge <paramref name="Merge"/> and the site holds that model.</summary>
public sealed record MergedModelAdopted(int Merge, string MergedHash, float[] Parameters) : DataVectorSiteOutput;
