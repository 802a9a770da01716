using System.Runtime.InteropServices;
using Swarm.Learning.Updates;
using Swarm.Node.CrossChain;
using Swarm.Tasks;
using Swarm.Tasks.CrossChain;

namespace Swarm.Tests.Tasks.CrossChain;

/// <summary>A task whose spec has a transfer section, as a site's pure state machine sees it: no training before the
/// chain recorded the import; the model then comes by its hash (tampered bytes are refused), round 1 trains from the
/// start the adapter built from it; a refused import ends the task with the chain's reason.</summary>
public sealed class TaskSiteTransferTests
{
    private static readonly string[] Conv = ["conv"];
    private static readonly float[] SourceModel = [.. Enumerable.Range(0, 32).Select(i => i * 0.25f)];
    private static readonly float[] Initial = new float[16];

    [Fact]
    public void Round_one_waits_for_the_recorded_import_refuses_tampered_model_bytes_and_trains_from_the_imported_start()
    {
        using var source = SourceWithGrant(out var modelHash);
        using var importing = Importing(source);
        var proof = CrossChainProofBuilder.Build(source.Genesis, source.SpecBytes, source.Ledger(), modelHash, "g1", source.Verifier);

        var before = Site(importing);
        var first = before.Step(new SiteStarted(false));
        Assert.Equal(importing.Spec.Transfer, Assert.Single(first.OfType<ObtainImport>()).Transfer);
        Assert.Empty(first.OfType<TrainRound>());
        before.Step(new ImportObtained("no node holding the chain answered"));
        Assert.Contains("no node holding the chain answered", before.Progress().Detail, StringComparison.Ordinal);

        importing.Commit(importing.Import(1, new ModelImportRequest(importing.Spec.Participants[1], source.Anchor, Conv, proof.Encode())));
        var site = Site(importing);
        var started = site.Step(new SiteStarted(false));
        var fetch = Assert.Single(started.OfType<FetchBlob>());
        Assert.Equal((BlobKind.Model, modelHash), (fetch.Kind, fetch.Hash));
        Assert.Contains(importing.Spec.Participants[1], fetch.From);
        Assert.Empty(started.OfType<TrainRound>());

        var tampered = Bytes(SourceModel);
        tampered[5] ^= 1;
        var refused = site.Step(new BlobArrived(importing.Spec.Participants[1], BlobKind.Model, modelHash, tampered));
        Assert.Empty(refused.OfType<ApplyTransfer>());
        Assert.Contains(refused.OfType<SiteNote>(), n => n.Text.Contains("do not hash to it", StringComparison.Ordinal));

        var arrived = site.Step(new BlobArrived(importing.Spec.Participants[1], BlobKind.Model, modelHash, Bytes(SourceModel)));
        var apply = Assert.Single(arrived.OfType<ApplyTransfer>());
        Assert.Equal(SourceModel, apply.Source);
        Assert.Equal(Initial, apply.Initial);
        Assert.Equal(Conv, apply.Import.Import.Layers);

        float[] start = [.. Enumerable.Range(0, 16).Select(i => (float)i)];
        var training = site.Step(new TransferApplied(start, null));
        Assert.Equal(start, Assert.Single(training.OfType<TrainRound>()).Global);
        Assert.Equal(ModelDigest.Hex(start), site.GlobalHash);
    }

    [Fact]
    public void A_refused_import_ends_the_task_with_the_chains_reason_and_an_import_of_another_source_is_refused()
    {
        using var source = SourceWithGrant(out var modelHash);
        using var other = new InProcessTaskChain(InProcessTaskChain.SpecFor("other", 4, 1));
        using var importing = Importing(source);
        var ungranted = CrossChainProofBuilder.Build(source.Genesis, source.SpecBytes, source.Ledger(), modelHash, "g-none", source.Verifier);
        var otherModel = other.FinishRound(1);
        other.Export("g1", true, new ExportScope(ExportScope.AnyChain, ExportScope.AnyModel, [ExportScope.AllLayers]), 0, 1, 2);
        var otherProof = CrossChainProofBuilder.Build(other.Genesis, other.SpecBytes, other.Ledger(), otherModel, "g1", other.Verifier);

        importing.Commit(importing.Import(2, new ModelImportRequest(importing.Spec.Participants[2], other.Anchor, Conv, otherProof.Encode())));
        var chain = TaskChain.Replay(importing.Terms, importing.Verifier, importing.Ledger());
        Assert.Empty(chain.Imports.Recorded);
        Assert.Contains("the task's spec imports from " + source.Genesis.ChainId, Assert.Single(chain.Imports.Refused).Reason, StringComparison.Ordinal);

        importing.Commit(importing.Import(1, new ModelImportRequest(importing.Spec.Participants[1], source.Anchor, Conv, ungranted.Encode())));
        var site = Site(importing);
        var outputs = site.Step(new SiteStarted(false));
        var cancel = Assert.IsType<CancellationRequest>(Assert.Single(outputs.OfType<SubmitToChain>()).Request);
        Assert.Contains("import from " + source.Genesis.ChainId + " failed", cancel.Reason, StringComparison.Ordinal);
        Assert.Empty(outputs.OfType<TrainRound>());
        Assert.Empty(outputs.OfType<ObtainImport>());
    }

    private static InProcessTaskChain SourceWithGrant(out string modelHash)
    {
        var source = new InProcessTaskChain(InProcessTaskChain.SpecFor("source", 4, 1));
        modelHash = source.FinishRound(1, ModelDigest.Hex(SourceModel));
        source.Export("g1", true, new ExportScope(ExportScope.AnyChain, ExportScope.AnyModel, Conv), 0, 1, 2);
        return source;
    }

    /// <summary>The importing task's chain, started: the sample counts declared at consent are on it (a site trains
    /// only after both the record and the import).</summary>
    private static InProcessTaskChain Importing(InProcessTaskChain source)
    {
        var importing = new InProcessTaskChain(InProcessTaskChain.SpecFor("importing", 4, 1) with
        {
            Transfer = new TransferSpec(source.Genesis.ChainId, source.Genesis.Hash.ToHex(), "g1", Layers: Conv),
        });
        importing.DeclareSamples();
        return importing;
    }

    private static TaskSite Site(InProcessTaskChain importing) =>
        new(importing.Spec, importing.Spec.Participants[0], TaskChain.Replay(importing.Terms, importing.Verifier, importing.Ledger()), Initial);

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
