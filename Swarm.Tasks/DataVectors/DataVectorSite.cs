using Swarm.Learning.DataVectors;
using Swarm.Learning.Updates;

namespace Swarm.Tasks.DataVectors;

/// <summary>
/// One site of a data-vector task as a pure state machine, <c>Step(input) → outputs</c>: when its fine-tuning
/// finishes it offers τ = θ_site − θ_pre as a blob and publishes its hash (sequence numbers rise, so publishing again
/// replaces its earlier vector); when the chain opens a merge it fetches the vectors it lacks, computes the merge
/// with <see cref="DataVectorMerge"/> (float32 in site order: the same bits everywhere) and votes the hash; when the
/// chain commits a merge whose hash it computed, it adopts that model. A vector whose bytes are unusable (wrong
/// length, a value that is not finite) is left out of the merge by every honest site alike. Under the validated
/// rule, once it holds the merge's vectors it asks its host to score θ_pre + λ·Σ τ over the grid on its validation
/// split, proposes the best step, and merges with the λ the chain agrees.
/// </summary>
public sealed class DataVectorSite
{
    private readonly string _site;
    private readonly DataVectorTaskTerms _terms;
    private readonly float[] _pretrained;
    private readonly int _mergedLength;
    private readonly Dictionary<string, float[]> _blobs = new(StringComparer.Ordinal);
    private readonly Dictionary<int, (string Hash, float[] Parameters)> _computed = [];
    private readonly Dictionary<int, string> _committed = [];
    private readonly Dictionary<int, double> _agreed = [];
    private readonly HashSet<int> _scoring = [];
    private MergeOpened? _pending;
    private long _sequence;

    /// <summary>A site holding the pre-trained model the task pins; <paramref name="mergedLength"/> is the trainable
    /// prefix of the layout that is merged (−1: all).</summary>
    public DataVectorSite(string site, DataVectorTaskTerms terms, float[] pretrained, int mergedLength = -1)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(pretrained);
        if (ModelDigest.Hex(pretrained) != terms.BaseHash || pretrained.Length != terms.ParameterCount)
        {
            throw new ArgumentException("the site's pre-trained model is not the one the task pins", nameof(pretrained));
        }
        _site = site;
        _terms = terms;
        _pretrained = pretrained;
        _mergedLength = mergedLength;
    }

    /// <summary>The last merged model the chain committed and this site holds, or null.</summary>
    public (int Merge, string Hash)? Adopted { get; private set; }

    public IReadOnlyList<DataVectorSiteOutput> Step(DataVectorSiteInput input) => input switch
    {
        FineTuned tuned => Publish(tuned),
        ChainApplied { Event: MergeOpened opened } => StartMerge(opened),
        ChainApplied { Event: MergeCommitted committed } => Adopt(committed),
        ChainApplied { Event: LambdaAgreed agreed } => OnAgreed(agreed),
        ChainApplied { Event: VectorAccepted accepted } => OnAccepted(accepted),
        ChainApplied => [],
        VectorBlobArrived blob => Arrived(blob),
        LambdasScored scored => OnScored(scored),
        _ => throw new ArgumentException($"unknown input {input.GetType().Name}", nameof(input)),
    };

    private List<DataVectorSiteOutput> Publish(FineTuned tuned)
    {
        var vector = DataVector.From(_site, _pretrained, tuned.Parameters, tuned.SampleCount, ++_sequence);
        var hash = vector.Hash;
        _blobs[hash] = vector.Delta;
        return [new OfferBlob(hash, vector.Delta), new SubmitToChain(new VectorPublished(_site, hash, vector.BaseHash, tuned.SampleCount, _sequence))];
    }

    private List<DataVectorSiteOutput> StartMerge(MergeOpened opened)
    {
        _pending = opened;
        var missing = opened.Included.Select(v => v.VectorHash).Where(h => !_blobs.ContainsKey(h)).Distinct()
            .Select(h => (DataVectorSiteOutput)new FetchBlob(h)).ToList();
        return missing.Count > 0 ? missing : Proceed();
    }

    /// <summary>The site's own vector on the chain (also after a restart, replaying the chain): later publications
    /// take sequence numbers above it.</summary>
    private List<DataVectorSiteOutput> OnAccepted(VectorAccepted accepted)
    {
        if (accepted.Vector.Site == _site)
        {
            _sequence = Math.Max(_sequence, accepted.Vector.Sequence);
        }
        return [];
    }

    private List<DataVectorSiteOutput> OnAgreed(LambdaAgreed agreed)
    {
        _agreed[agreed.Merge] = agreed.Lambda;
        return Proceed();
    }

    /// <summary>With every vector of the pending merge here: merge (validated: once λ is agreed; before that, ask
    /// for the scores this site's proposal needs, once).</summary>
    private List<DataVectorSiteOutput> Proceed()
    {
        if (_pending is not { } open || !open.Included.All(v => _blobs.ContainsKey(v.VectorHash)))
        {
            return [];
        }
        if (open.Rule != MergeRule.Validated)
        {
            return Compute(open, 1.0);
        }
        if (_agreed.TryGetValue(open.Merge, out var lambda))
        {
            return Compute(open, lambda);
        }
        if (!_scoring.Add(open.Merge))
        {
            return [];
        }
        var pool = PoolOf(open, []);
        var grid = _terms.Grid;
        var candidates = grid.Select(l => DataVectorMerge.Merge(_pretrained, pool, MergeRule.Validated, l, _mergedLength)).ToList();
        return [new ScoreLambdas(open.Merge, grid, candidates)];
    }

    /// <summary>Proposes the grid step with the lowest validation loss (ties: the smaller λ; no finite loss: the
    /// smallest λ, the merge closest to θ_pre).</summary>
    private List<DataVectorSiteOutput> OnScored(LambdasScored scored)
    {
        var grid = _terms.Grid;
        if (scored.Losses.Count != grid.Count || _agreed.ContainsKey(scored.Merge))
        {
            return [];
        }
        double best;
        try
        {
            best = LambdaAgreement.Propose(grid, l => -scored.Losses[grid.ToList().IndexOf(l)]);
        }
        catch (ArgumentException)
        {
            best = grid.Min();
        }
        var step = grid.ToList().IndexOf(best) + 1;
        return [new SubmitToChain(new LambdaProposed(_site, scored.Merge, step))];
    }

    private List<DataVectorSiteOutput> Arrived(VectorBlobArrived blob)
    {
        if (ModelDigest.Hex(blob.Delta) != blob.Hash)
        {
            return [];
        }
        _blobs[blob.Hash] = blob.Delta;
        return Proceed();
    }

    private DataVectorPool PoolOf(MergeOpened open, List<string> excluded)
    {
        var pool = new DataVectorPool(_terms.BaseHash, _terms.ParameterCount);
        foreach (var v in open.Included)
        {
            var outcome = pool.Publish(new DataVector(v.Site, _terms.BaseHash, v.SampleCount, v.Sequence, _blobs[v.VectorHash]));
            if (!outcome.Accepted)
            {
                excluded.Add(v.Site);
            }
        }
        return pool;
    }

    private List<DataVectorSiteOutput> Compute(MergeOpened open, double lambda)
    {
        _pending = null;
        var excluded = new List<string>();
        var pool = PoolOf(open, excluded);
        var merged = DataVectorMerge.Merge(_pretrained, pool, open.Rule, lambda, _mergedLength);
        var hash = ModelDigest.Hex(merged);
        _computed[open.Merge] = (hash, merged);
        if (_committed.ContainsKey(open.Merge))
        {
            // The others committed it while this site fetched vectors: no vote is needed, only the model.
            return [new MergeComputed(open.Merge, hash, merged, excluded), .. AdoptIfMatching(open.Merge)];
        }
        return [new MergeComputed(open.Merge, hash, merged, excluded), new SubmitToChain(new MergeVote(_site, open.Merge, open.VectorSetDigest, hash))];
    }

    private List<DataVectorSiteOutput> Adopt(MergeCommitted committed)
    {
        _committed[committed.Merge] = committed.MergedHash;
        return AdoptIfMatching(committed.Merge);
    }

    /// <summary>Adopts a committed merge once this site has computed the same hash, never going back to an older
    /// merge; a site outvoted (another hash) adopts nothing.</summary>
    private List<DataVectorSiteOutput> AdoptIfMatching(int merge)
    {
        if (!_computed.TryGetValue(merge, out var mine) || mine.Hash != _committed[merge]
            || (Adopted is { } adopted && adopted.Merge >= merge))
        {
            return [];
        }
        Adopted = (merge, mine.Hash);
        return [new MergedModelAdopted(merge, mine.Hash, mine.Parameters)];
    }
}
