using Swarm.Learning.DataVectors;
using Swarm.Learning.Updates;
using Swarm.Tasks.DataVectors;

namespace Swarm.Tests.DataVectors;

/// <summary>A seeded simulation of a data-vector task: one chain (what PBFT would commit: one order for every
/// replica), sites as pure state machines, a blob store. Requests and blob replies wait in one pool and the seed
/// picks which is delivered next, so the order in which requests reach the chain varies with the seed.</summary>
internal sealed class DataVectorTaskHarness
{
    private readonly Random _random;
    private readonly List<object> _inFlight = [];
    private readonly Dictionary<string, float[]> _blobs = new(StringComparer.Ordinal);

    public DataVectorTaskHarness(DataVectorTaskTerms terms, float[] pretrained, int seed)
    {
        Seed = seed;
        _random = new Random(seed);
        Chain = new DataVectorChain(terms);
        Sites = terms.Sites.ToDictionary(s => s, s => new DataVectorSite(s, terms, pretrained), StringComparer.Ordinal);
    }

    public int Seed { get; }

    public DataVectorChain Chain { get; }

    public IReadOnlyDictionary<string, DataVectorSite> Sites { get; }

    public List<DataVectorEvent> Events { get; } = [];

    public List<(string Site, MergeComputed Computed)> Computed { get; } = [];

    public List<(string Site, MergedModelAdopted Adopted)> AdoptedModels { get; } = [];

    /// <summary>Under the validated rule: a site's validation loss of a candidate merge (null: candidates are not scored).</summary>
    public Func<string, float[], double>? Loss { get; init; }

    private long _height;

    public void Step(string site, DataVectorSiteInput input)
    {
        foreach (var output in Sites[site].Step(input))
        {
            switch (output)
            {
                case OfferBlob offer:
                    _blobs[offer.Hash] = offer.Delta;
                    break;
                case SubmitToChain submit:
                    _inFlight.Add(submit.Request);
                    break;
                case FetchBlob fetch:
                    _inFlight.Add((site, fetch.Hash));
                    break;
                case MergeComputed computed:
                    Computed.Add((site, computed));
                    break;
                case MergedModelAdopted adopted:
                    AdoptedModels.Add((site, adopted));
                    break;
                case ScoreLambdas score when Loss is not null:
                    Step(site, new LambdasScored(score.Merge, [.. score.Candidates.Select(c => Loss(site, c))]));
                    break;
            }
        }
    }

    /// <summary>A lying site's blob: any bytes under their own hash.</summary>
    public string OfferRaw(float[] delta)
    {
        var hash = ModelDigest.Hex(delta);
        _blobs[hash] = delta;
        return hash;
    }

    public void Submit(DataVectorRequest request) => _inFlight.Add(request);

    /// <summary>Delivers everything in flight, in an order the seed picks, until nothing is left.</summary>
    public void Run()
    {
        for (var steps = 0; _inFlight.Count > 0; steps++)
        {
            Assert.True(steps < 100_000, $"seed {Seed}: the simulation did not settle");
            var index = _random.Next(_inFlight.Count);
            var item = _inFlight[index];
            _inFlight.RemoveAt(index);
            if (item is DataVectorRequest request)
            {
                foreach (var e in Chain.Apply(request, ++_height))
                {
                    Events.Add(e);
                    foreach (var site in Sites.Keys)
                    {
                        Step(site, new ChainApplied(e));
                    }
                }
            }
            else
            {
                var (site, hash) = ((string, string))item;
                Step(site, new VectorBlobArrived(hash, _blobs[hash]));
            }
        }
    }

    public static float[] Model(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5))];
    }

    public static DataVectorTaskTerms Terms(float[] pretrained, int sites, MergeRule rule = MergeRule.SampleWeighted,
        int vectorsPerMerge = 1) =>
        new("dv-task", [.. Enumerable.Range(1, sites).Select(i => $"site-{i}")], (sites - 1) / 3,
            ModelDigest.Hex(pretrained), pretrained.Length, rule, vectorsPerMerge);
}
