using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Learning.Updates;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>The set-up of tests that step one <see cref="TaskSite"/> by hand: four sites a–d on a three-round task
/// chain with quorum 4 and f = 1, requests signed by each site's own key and committed one block at a time.</summary>
public abstract class FourSiteTaskTests(string taskId)
{
    protected static readonly string[] Sites = ["a", "b", "c", "d"];
    protected static readonly float[] Initial = [0f, 0f, 0f, 0f];
    private readonly Ed25519Signer[] _signers = [.. Sites.Select(_ => Ed25519Signer.Generate())];
    private readonly Ed25519SignatureScheme _verifier = new();
    private long _requestId;
    private long _height;

    private string ChainId => $"task/{taskId}/0";

    protected TaskChainTerms Terms() => new(ChainId, Sites, [.. _signers.Select(s => s.PublicKey)], Rounds: 3, Quorum: 4, F: 1);

    protected TaskChain NewChain() => new(Terms(), _verifier);

    protected TaskSpec Spec() => new()
    {
        Id = taskId,
        Model = "smallcnn",
        Participants = Sites,
        Datasets = Sites.ToDictionary(s => s, _ => "synthetic"),
        Rounds = 3,
        LocalEpochs = 1,
    };

    /// <summary>One committed block holding <paramref name="requests"/>, each signed by its site.</summary>
    protected ChainCommitted Block(params TaskRequest[] requests) =>
        new([new CommittedBlock(++_height, [.. requests.Select(r =>
            new ClientRequest(r.Site, ++_requestId, r.ToPayload(ChainId, b => _signers[Array.IndexOf(Sites, r.Site)].Sign(b))))])]);

    /// <summary>A block of <paramref name="voters"/>' votes for <paramref name="model"/> on the set <paramref name="digest"/>.</summary>
    protected ChainCommitted Votes(int round, string digest, float[] model, params string[] voters) =>
        Block([.. voters.Select(v => new AggregateVote(round, v, digest, "agg-" + ModelDigest.Hex(model), ModelDigest.Hex(model)))]);

    /// <summary>A small dense update of <paramref name="site"/> for <paramref name="round"/> (100 samples).</summary>
    protected static PublishedUpdate Update(string site, int round, float value)
    {
        var bytes = UpdateCodec.Encode(SparseUpdate.Dense([value, value * 2, -value, round]));
        return new PublishedUpdate(site, 100, bytes, RoundAggregate.HashOf(bytes));
    }

    protected static UpdateTrained Trained(int round, PublishedUpdate update) => new(round, update, 0.5, TimeSpan.Zero, TimeSpan.Zero);
}
