using Swarm.Node.CrossChain;
using Swarm.Tasks;
using Swarm.Tasks.CrossChain;

namespace Swarm.Tests.Tasks.CrossChain;

/// <summary>An import is a request on the importing chain: every replica of that chain verifies the proof when it
/// executes the request, so the import is on the chain for all of them, or refused for all with the same reason.</summary>
public sealed class ChainImportTests
{
    private static readonly string[] Features = ["features."];

    [Fact]
    public void A_valid_import_is_recorded_by_every_importing_replica_and_a_forged_one_by_none()
    {
        using var source = new InProcessTaskChain(InProcessTaskChain.SpecFor("pneumonia", 4, 1));
        using var importing = new InProcessTaskChain(InProcessTaskChain.SpecFor("breast", 4, 1));
        var model = source.FinishRound(1);
        source.Export("g1", true, new ExportScope(importing.Genesis.ChainId, model, ["features."]), 0, 1, 3);
        var proof = CrossChainProofBuilder.Build(source.Genesis, source.SpecBytes, source.Ledger(), model, "g1", source.Verifier);
        var forged = proof with { Certificate = proof.Certificate with { Votes = [.. proof.Certificate.Votes.Take(2)] } };

        importing.Commit(importing.Import(2, new ModelImportRequest(importing.Spec.Participants[2], source.Anchor, Features, forged.Encode())));
        importing.Commit(importing.Import(1, new ModelImportRequest(importing.Spec.Participants[1], source.Anchor, Features, proof.Encode())));

        for (var replica = 0; replica < 4; replica++)
        {
            var chain = TaskChain.Replay(importing.Terms, importing.Verifier, importing.Ledger(replica));
            var recorded = Assert.Single(chain.Imports.Recorded);
            Assert.Equal((importing.Spec.Participants[1], source.Genesis.ChainId, model, 1), (recorded.Site, recorded.Import.SourceChainId,
                recorded.Import.ModelHash, recorded.Import.Round));
            Assert.Equal(proof.Head!.Height, chain.Imports.Sources.Find(source.Genesis.ChainId)!.Height);
        }
        var events = new TaskChain(importing.Terms, importing.Verifier);
        var refused = importing.Ledger().SelectMany(b => events.Apply(b.Block.Height, b.Block.Requests)).OfType<RequestIgnored>()
            .Where(e => e.Reason.StartsWith("import refused", StringComparison.Ordinal)).ToList();
        Assert.Contains("2 distinct commit votes, a quorum is 3", Assert.Single(refused).Reason);
    }

    [Fact]
    public void An_import_for_another_importing_chain_or_signed_by_a_non_participant_is_not_recorded()
    {
        using var source = new InProcessTaskChain(InProcessTaskChain.SpecFor("pneumonia", 4, 1));
        using var importing = new InProcessTaskChain(InProcessTaskChain.SpecFor("breast", 4, 1));
        var model = source.FinishRound(1);
        source.Export("g1", true, new ExportScope("task/elsewhere/00", model, [ExportScope.AllLayers]), 0, 1, 2);
        var proof = CrossChainProofBuilder.Build(source.Genesis, source.SpecBytes, source.Ledger(), model, "g1", source.Verifier);
        var chain = new TaskChain(importing.Terms, importing.Verifier);

        var events = chain.Apply(1, [importing.Import(0, new ModelImportRequest(importing.Spec.Participants[0], source.Anchor, Features, proof.Encode()))]);
        Assert.Contains("is for chain task/elsewhere/00", Assert.IsType<RequestIgnored>(Assert.Single(events)).Reason);

        var impostor = importing.Import(0, new ModelImportRequest(importing.Spec.Participants[1], source.Anchor, Features, proof.Encode()));
        Assert.Contains("not the client", Assert.IsType<RequestIgnored>(Assert.Single(chain.Apply(2, [impostor]))).Reason);
        Assert.Empty(chain.Imports.Recorded);
    }
}
