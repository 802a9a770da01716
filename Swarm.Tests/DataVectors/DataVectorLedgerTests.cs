using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Learning.DataVectors;
using Swarm.Learning.Updates;
using Swarm.Tasks.DataVectors;

namespace Swarm.Tests.DataVectors;

public sealed class DataVectorLedgerTests : IDisposable
{
    private static readonly float[] Pre = DataVectorTaskHarness.Model(500, 1);
    private readonly Ed25519Signer[] _signers = [.. Enumerable.Range(0, 4).Select(_ => Ed25519Signer.Generate())];
    private readonly DataVectorTaskTerms _terms = DataVectorTaskHarness.Terms(Pre, 4, MergeRule.Validated);
    private long _id;

    private DataVectorLedger Ledger() => new(_terms, [.. _signers.Select(s => s.PublicKey)], new Ed25519SignatureScheme());

    private ClientRequest Request(string client, DataVectorRequest request, int signer) =>
        new(client, ++_id, DataVectorLedger.Seal(request, _terms.ChainId, bytes => _signers[signer].Sign(bytes)));

    [Fact]
    public void Every_request_kind_travels_in_its_signed_envelope_and_comes_back_equal()
    {
        DataVectorRequest[] requests =
        [
            new VectorPublished("site-1", new string('a', 64), ModelDigest.Hex(Pre), 42, 3),
            new MergeVote("site-2", 7, new string('b', 64), new string('c', 64)),
            new LambdaProposed("site-3", 2, 5),
        ];
        foreach (var request in requests)
        {
            var payload = DataVectorLedger.Seal(request, _terms.ChainId, bytes => _signers[0].Sign(bytes));
            Assert.Equal(request, DataVectorLedger.TryDecode(payload, out _, out _, out var problem));
            Assert.Equal("", problem);
        }
        Assert.Null(DataVectorLedger.TryDecode([1, 2, 3], out _, out _, out var malformed));
        Assert.Contains("malformed data-vector request", malformed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vector_of_another_pre_trained_model_is_refused_with_the_reason_and_forged_requests_are_ignored()
    {
        var ledger = Ledger();
        var other = DataVectorTaskHarness.Model(500, 2);
        var foreign = DataVector.From("site-1", other, DataVectorTaskHarness.Model(500, 3), 10, 1);
        var events = ledger.Apply(1, [Request("site-1", new VectorPublished("site-1", foreign.Hash, foreign.BaseHash, 10, 1), 0)]);
        var rejected = Assert.IsType<DataVectorRejected>(Assert.Single(events));
        Assert.Contains($"taken from pre-trained model {foreign.BaseHash[..12]}, the task pins {ModelDigest.Hex(Pre)[..12]}", rejected.Reason, StringComparison.Ordinal);
        Assert.Empty(ledger.Chain.Counting);

        var good = new VectorPublished("site-1", new string('a', 64), ModelDigest.Hex(Pre), 10, 1);
        // site-2 signs a vector in site-1's name, or submits site-1's signed request as its own client: ignored.
        var forged = Assert.IsType<DataVectorRequestIgnored>(Assert.Single(ledger.Apply(2, [Request("site-1", good, 1)])));
        Assert.Contains("bad signature", forged.Reason, StringComparison.Ordinal);
        var relayed = Assert.IsType<DataVectorRequestIgnored>(Assert.Single(ledger.Apply(3, [Request("site-2", good, 0)])));
        Assert.Contains("not the client", relayed.Reason, StringComparison.Ordinal);
        Assert.Empty(ledger.Chain.Counting);

        var accepted = ledger.Apply(4, [Request("site-1", good, 0)]);
        Assert.IsType<VectorAccepted>(accepted[0]);
        Assert.IsType<MergeOpened>(accepted[1]);
        Assert.Equal(4, ledger.Height);
        Assert.Equal(_id, ledger.LastRequestOf("site-1"));
    }

    public void Dispose()
    {
        foreach (var signer in _signers)
        {
            signer.Dispose();
        }
    }
}
