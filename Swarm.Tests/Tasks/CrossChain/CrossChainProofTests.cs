using Swarm.Consensus.Blocks;
using Swarm.Node.CrossChain;
using Swarm.Tasks;
using Swarm.Tasks.CrossChain;

namespace Swarm.Tests.Tasks.CrossChain;

/// <summary>Cross-chain proofs built from real certified chains (four PBFT replicas with Ed25519 keys in one
/// process, the sites' real task requests): a valid proof is accepted, and each forgery or omission is refused with
/// its reason. Every refusal here is an attack mounted on a proof that is otherwise accepted.</summary>
public sealed class CrossChainProofTests : IClassFixture<CrossChainProofTests.SourceFixture>
{
    public const string Importer = "task/breast/0011223344556677";
    private static readonly string[] Features = ["features.0.weight"];
    private readonly SourceFixture _source;

    public CrossChainProofTests(SourceFixture source) => _source = source;

    /// <summary>A source task of four sites and two rounds; grant "g1" (three of four sites: a quorum) exports the
    /// feature layers of any model to <see cref="Importer"/>; grant "g-two" has only two sites behind it.</summary>
    public sealed class SourceFixture : IDisposable
    {
        public SourceFixture()
        {
            Chain = new InProcessTaskChain(InProcessTaskChain.SpecFor("pneumonia", 4, 2));
            Model1 = Chain.FinishRound(1);
            Chain.Export("g1", true, new ExportScope(Importer, ExportScope.AnyModel, ["features."]), 0, 1, 2);
            Chain.Export("g-two", true, new ExportScope(Importer, ExportScope.AnyModel, ["features."]), 0, 1);
            GrantHeight = Chain.Height;
            Model2 = Chain.FinishRound(2);
        }

        public InProcessTaskChain Chain { get; }
        public string Model1 { get; }
        public string Model2 { get; }
        public long GrantHeight { get; }

        public CrossChainProof Proof(string model, string grant = "g1", long from = 1, long to = 0) =>
            CrossChainProofBuilder.Build(Chain.Genesis, Chain.SpecBytes, Chain.Ledger(), model, grant, Chain.Verifier, from, to);

        public TrustedSourceStore Store() => new(Chain.Verifier);

        public void Dispose() => Chain.Dispose();
    }

    private ImportVerdict Verify(CrossChainProof proof, TrustedSourceStore? store = null, SourceAnchor? anchor = null,
        string importer = Importer, IReadOnlyList<string>? layers = null) =>
        (store ?? _source.Store()).Verify(proof, anchor ?? _source.Chain.Anchor, importer, layers ?? Features);

    private static void Refused(ImportVerdict verdict, string reason)
    {
        Assert.False(verdict.Ok, "the proof was accepted");
        Assert.Contains(reason, verdict.Reason);
    }

    [Fact]
    public void A_valid_proof_from_a_four_replica_chain_is_accepted_with_the_round_that_finalized_the_model()
    {
        var proof = _source.Proof(_source.Model2);
        var verdict = Verify(proof);
        Assert.True(verdict.Ok, verdict.Reason);
        Assert.Equal(2, verdict.Import!.Round);
        Assert.Equal(proof.Target!.Height, verdict.Import.Height);
        Assert.Equal(proof.Target, proof.Head);
        Assert.Equal((int)proof.Head!.Height, verdict.Import.BlocksVerified);
    }

    [Fact]
    public void A_proof_survives_its_encoding_and_garbage_is_a_reason_not_an_exception()
    {
        var bytes = _source.Proof(_source.Model1).Encode();
        var decoded = CrossChainProof.TryDecode(bytes, out var problem);
        Assert.True(decoded is not null, problem);
        Assert.True(Verify(decoded!).Ok);
        Assert.Null(CrossChainProof.TryDecode(bytes.AsSpan(0, bytes.Length - 3), out problem));
        Assert.Contains("malformed cross-chain proof", problem);
    }

    [Fact]
    public void A_proof_of_another_chain_is_refused_as_the_wrong_genesis()
    {
        using var other = new InProcessTaskChain(InProcessTaskChain.SpecFor("pneumonia", 4, 2));
        var model = other.FinishRound(1);
        other.Export("g1", true, new ExportScope(Importer, ExportScope.AnyModel, ["features."]), 0, 1, 2);
        var forged = CrossChainProofBuilder.Build(other.Genesis, other.SpecBytes, other.Ledger(), model, "g1", other.Verifier);

        // Same task id and spec, so the same chain id: only the keys differ, and the anchor's genesis hash tells.
        Assert.Equal(_source.Chain.Genesis.ChainId, other.Genesis.ChainId);
        Assert.True(Verify(forged, anchor: other.Anchor).Ok);
        Refused(Verify(forged), "wrong genesis: the proof's genesis");

        // The right genesis in front of another chain's blocks: block 1 does not link to it.
        Refused(Verify(forged with { Genesis = _source.Chain.Genesis }), "wrong genesis: block 1 links to");
    }

    [Fact]
    public void A_genesis_that_is_not_the_one_its_spec_gives_is_refused()
    {
        var proof = _source.Proof(_source.Model1);
        var genesis = proof.Genesis with { F = 0 };
        Refused(Verify(proof with { Genesis = genesis }, anchor: new SourceAnchor(genesis.ChainId, genesis.Hash)),
            "is not the one the task spec gives");
        var otherSpec = TaskSpecCodec.Encode(_source.Chain.Spec with { Rounds = 9 });
        Refused(Verify(proof with { SpecBytes = otherSpec }), "the task spec's digest gives chain");
    }

    [Fact]
    public void A_missing_insufficient_or_forged_certificate_is_refused()
    {
        var proof = _source.Proof(_source.Model2);
        var certificate = proof.Certificate;
        Refused(Verify(proof with { Certificate = certificate with { Votes = [] } }), "0 distinct commit votes, a quorum is 3");
        Refused(Verify(proof with { Certificate = certificate with { Votes = [.. certificate.Votes.Take(2)] } }),
            "2 distinct commit votes, a quorum is 3");
        var doubled = certificate with { Votes = [certificate.Votes[0], certificate.Votes[0], certificate.Votes[1]] };
        Refused(Verify(proof with { Certificate = doubled }), "votes twice");
        var vote = certificate.Votes[1];
        var bad = vote.Signature.ToArray();
        bad[5] ^= 1;
        var forged = certificate with { Votes = [certificate.Votes[0], vote with { Signature = bad }, .. certificate.Votes.Skip(2)] };
        Refused(Verify(proof with { Certificate = forged }), $"the commit signature of replica {vote.ReplicaId}");
        var previous = _source.Chain.Ledger()[(int)proof.Target!.Height - 2].Certificate;
        Refused(Verify(proof with { Certificate = previous }), "is not the block height");
    }

    [Fact]
    public void A_tampered_header_or_block_is_refused()
    {
        var proof = _source.Proof(_source.Model2);
        var blocks = proof.Blocks.ToList();
        var middle = blocks[2];
        blocks[2] = new Block(middle.Height, middle.PreviousHash, middle.Proposer, middle.View, middle.TimestampMs + 1, middle.Requests);
        Refused(Verify(proof with { Blocks = blocks }), $"tampered header: block {middle.Height + 1} links to");

        // The target itself with one request dropped: the certificate names another block.
        var target = proof.Target!;
        var stripped = new Block(target.Height, target.PreviousHash, target.Proposer, target.View, target.TimestampMs, [.. target.Requests.Skip(1)]);
        Refused(Verify(proof with { Blocks = [.. proof.Blocks.SkipLast(1), stripped], VoteIndex = 0 }), "certificate names block");
    }

    [Fact]
    public void A_model_hash_that_is_not_in_the_block_is_refused()
    {
        var proof = _source.Proof(_source.Model2);
        Refused(Verify(proof with { ModelHash = _source.Model1 }), "model hash not in block");
        Refused(Verify(proof with { VoteIndex = proof.Target!.Requests.Count }), "model hash not in block");
        var aggregate = new string('a', 64);
        Refused(Verify(proof with { ModelHash = aggregate }), "model hash not in block");
    }

    [Fact]
    public void A_model_with_votes_that_did_not_finalize_there_is_refused()
    {
        // Round 1's block, but claimed as the target of round 2's model: the vote there names round 1's model.
        var one = _source.Proof(_source.Model1);
        Refused(Verify(one with { ModelHash = _source.Model2 }), "not an aggregate vote for model");

        // An earlier vote for the round-2 model sits in a block that committed before the round was final.
        var ledger = _source.Chain.Ledger();
        var full = _source.Proof(_source.Model2);
        var votes = ledger.Where(b => b.Block.Requests.Any(r => TaskRequest.TryDecode(r.Payload, out _, out _, out _) is AggregateVote v
            && v.ModelHash == _source.Model2)).ToList();
        var early = votes.First();
        if (early.Block.Height < full.Target!.Height)
        {
            var index = early.Block.Requests.ToList().FindIndex(r => TaskRequest.TryDecode(r.Payload, out _, out _, out _) is AggregateVote);
            var proof = full with
            {
                Blocks = [.. full.Blocks.Where(b => b.Height <= early.Block.Height)],
                Certificate = early.Certificate,
                TargetHeight = early.Block.Height,
                VoteIndex = index,
            };
            Refused(Verify(proof), "is not final on");
        }
        else
        {
            Assert.Single(votes); // all four votes committed in the finalizing block
        }
    }

    [Fact]
    public void Without_an_export_grant_in_force_nothing_is_imported()
    {
        Refused(Verify(_source.Proof(_source.Model2, grant: "none")), "has no grant 'none'");
        Refused(Verify(_source.Proof(_source.Model2, grant: "g-two")), "2 site approvals with one scope, 3 are needed");
        Refused(Verify(_source.Proof(_source.Model2), layers: ["classifier.weight"]), "does not cover layers [classifier.weight]");
        Refused(Verify(_source.Proof(_source.Model2), importer: "task/other/00"), "is for chain " + Importer);
    }

    [Fact]
    public void A_later_import_verifies_only_the_new_blocks_and_a_refused_proof_changes_nothing()
    {
        var store = _source.Store();
        var first = Verify(_source.Proof(_source.Model1, to: _source.GrantHeight), store);
        Assert.True(first.Ok, first.Reason);
        var trusted = store.Find(_source.Chain.Genesis.ChainId)!.Height;
        Assert.Equal(_source.GrantHeight, trusted);

        // A gap above the trusted height is refused, and the view stays where it was.
        Refused(Verify(_source.Proof(_source.Model2, from: trusted + 2), store), "missing block");
        Assert.Equal(trusted, store.Find(_source.Chain.Genesis.ChainId)!.Height);

        var second = Verify(_source.Proof(_source.Model2, from: trusted + 1), store);
        Assert.True(second.Ok, second.Reason);
        Assert.Equal(_source.Chain.Height - trusted, second.Import!.BlocksVerified);

        // A proof restating trusted blocks must restate them exactly.
        var again = _source.Proof(_source.Model1);
        var blocks = again.Blocks.ToList();
        var b = blocks[0];
        blocks[0] = new Block(b.Height, b.PreviousHash, b.Proposer, b.View, b.TimestampMs + 5, b.Requests);
        Refused(Verify(again with { Blocks = blocks }, store), "tampered header: block 1 hashes to");
        Assert.True(Verify(again, store).Ok);
    }

    [Fact]
    public void A_grant_withdrawn_at_a_height_the_importer_has_seen_makes_the_model_stale()
    {
        using var chain = new InProcessTaskChain(InProcessTaskChain.SpecFor("pneumonia", 4, 3));
        var model1 = chain.FinishRound(1);
        chain.Export("g1", true, new ExportScope(Importer, ExportScope.AnyModel, [ExportScope.AllLayers]), 0, 1, 2);
        var oldProof = CrossChainProofBuilder.Build(chain.Genesis, chain.SpecBytes, chain.Ledger(), model1, "g1", chain.Verifier);
        chain.FinishRound(2);
        chain.Export("g1", false, new ExportScope(Importer, ExportScope.AnyModel, [ExportScope.AllLayers]), 1);
        var withdrawnAt = chain.Height;
        var model3 = chain.FinishRound(3);
        var store = new TrustedSourceStore(chain.Verifier);

        // Before the importer has seen the withdrawal the old proof stands; once it has, the model is stale.
        Assert.True(new TrustedSourceStore(chain.Verifier).Verify(oldProof, chain.Anchor, Importer, Features).Ok);
        var later = CrossChainProofBuilder.Build(chain.Genesis, chain.SpecBytes, chain.Ledger(), model3, "g1", chain.Verifier);
        Refused(store.Verify(later, chain.Anchor, Importer, Features), $"stale: export grant 'g1' of chain {chain.Genesis.ChainId} was withdrawn at height {withdrawnAt}");
        Refused(store.Verify(oldProof, chain.Anchor, Importer, Features), "stale");
    }

    [Fact]
    public void A_chain_reconfigured_midway_is_followed_and_a_proof_without_its_reconfiguration_block_is_refused()
    {
        using var chain = new InProcessTaskChain(InProcessTaskChain.SpecFor("pneumonia", 4, 2));
        chain.FinishRound(1);
        chain.ChangeMembership(new MembershipChange(MembershipChangeKind.Remove, chain.Genesis.Members[3]), 0, 1, 2);
        var changedAt = chain.Height;
        var activation = MembershipChange.ActivationHeight(changedAt, chain.Genesis.Parameters);
        chain.Pad((int)(activation - chain.Height) + 1);
        chain.Export("g1", true, new ExportScope(Importer, ExportScope.AnyModel, ["features."]), 0, 1, 2);
        var model = chain.FinishRound(2);
        var proof = CrossChainProofBuilder.Build(chain.Genesis, chain.SpecBytes, chain.Ledger(), model, "g1", chain.Verifier);
        Assert.True(proof.Target!.Height > activation);
        Assert.DoesNotContain(proof.Certificate.Votes, v => v.ReplicaId == 3);

        var store = new TrustedSourceStore(chain.Verifier);
        var accepted = store.Verify(proof, chain.Anchor, Importer, Features);
        Assert.True(accepted.Ok, accepted.Reason);
        Assert.Equal(3, store.Find(chain.Genesis.ChainId)!.Configuration.N);

        // The removed member's key (leaked after it left) cannot count towards a later certificate.
        var target = proof.Target;
        var bytes = CommitVote.SigningBytesFor(chain.Genesis.ChainId, 3, proof.Certificate.View, target.Height, target.Hash);
        var withRemoved = proof.Certificate with
        {
            Votes = [proof.Certificate.Votes[0], new CommitVote(3, proof.Certificate.View, target.Height, target.Hash, chain.SignAs(3, bytes))],
        };
        Refused(new TrustedSourceStore(chain.Verifier).Verify(proof with { Certificate = withRemoved }, chain.Anchor, Importer, Features),
            "vote from 3, which is not a member");

        // Leaving out the reconfiguration block, or taking the change out of it, is refused.
        var without = proof with { Blocks = [.. proof.Blocks.Where(b => b.Height != changedAt)] };
        Refused(new TrustedSourceStore(chain.Verifier).Verify(without, chain.Anchor, Importer, Features), "missing block");
        var holder = proof.Blocks.Single(b => b.Height == changedAt);
        var emptied = new Block(holder.Height, holder.PreviousHash, holder.Proposer, holder.View, holder.TimestampMs,
            [.. holder.Requests.Where(r => r.ClientId != MembershipChange.ClientId)]);
        var hidden = proof with { Blocks = [.. proof.Blocks.Select(b => b.Height == changedAt ? emptied : b)] };
        Refused(new TrustedSourceStore(chain.Verifier).Verify(hidden, chain.Anchor, Importer, Features), $"tampered header: block {changedAt + 1} links to");
    }
}
