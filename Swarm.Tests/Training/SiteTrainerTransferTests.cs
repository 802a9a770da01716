using Swarm.Actors.Training;
using Swarm.Learning.Training;
using Swarm.Tasks;

namespace Swarm.Tests.Training;

/// <summary>Round 1's start built by a site's trainer from an imported model (docs/cross-chain.md, "Imports on nodes"):
/// the chosen layers from the source, the rest from the task's initial model; the regularizing anchor kept; a channel
/// mismatch explained, or adapted when the spec asks.</summary>
public sealed class SiteTrainerTransferTests
{
    private static readonly string[] Conv = ["conv"];

    [Fact]
    public void Init_takes_the_chosen_layers_from_the_source_and_keeps_the_rest_of_the_initial_model()
    {
        using var site = new SiteTrainer("site-0", 0, SyntheticSites.Model(), SyntheticSites.Data(0), SyntheticSites.Settings());
        using var source = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 5);
        var (sourceValues, initial) = (SyntheticSites.Parameters(source), SyntheticSites.InitialModel());

        var applied = site.Transfer(new TransferIns(new TransferSpec("s", "g", "g1"), Conv, sourceValues, initial, () => (source.Layout, null)));

        Assert.Null(applied.Problem);
        foreach (var entry in source.Layout.Entries)
        {
            var expected = entry.Name.StartsWith("conv", StringComparison.Ordinal) ? sourceValues : initial;
            Assert.Equal(expected.AsSpan((int)entry.Offset, (int)entry.Length).ToArray(), applied.Initial.AsSpan((int)entry.Offset, (int)entry.Length).ToArray());
        }
        Assert.Null(site.Anchor);
    }

    [Fact]
    public void Regularize_keeps_the_anchor_with_its_lambda()
    {
        using var site = new SiteTrainer("site-0", 0, SyntheticSites.Model(), SyntheticSites.Data(0), SyntheticSites.Settings());
        using var source = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 5);

        var applied = site.Transfer(new TransferIns(new TransferSpec("s", "g", "g1", Mode: TransferSpec.RegularizeMode, Lambda: 0.05), Conv,
            SyntheticSites.Parameters(source), SyntheticSites.InitialModel(), () => (source.Layout, null)));

        Assert.NotNull(applied.Initial);
        Assert.Equal(0.05, site.Anchor!.Lambda);
        Assert.Equal(["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"], site.Anchor.Plan.Names);
    }

    [Fact]
    public void A_channel_mismatch_is_explained_and_adapted_when_asked()
    {
        using var site = new SiteTrainer("site-0", 0, SyntheticSites.Model(), SyntheticSites.Data(0), SyntheticSites.Settings());
        using var rgb = TorchTrainer.Create("smallcnn", 3, 2, 28, seed: 5);
        var values = SyntheticSites.Parameters(rgb);

        var refused = site.Transfer(new TransferIns(new TransferSpec("s", "g", "g1"), Conv, values, SyntheticSites.InitialModel(), () => (rgb.Layout, null)));
        Assert.Null(refused.Initial);
        Assert.Contains("layer 'conv1.weight'", refused.Problem, StringComparison.Ordinal);

        using var grey = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 5);
        using var wide = new SiteTrainer("site-0", 0, TorchTrainer.Create("smallcnn", 3, 2, 28, seed: 7), SyntheticSites.Data(0), SyntheticSites.Settings());
        var initial = SyntheticSites.Parameters(rgb);
        var adapted = wide.Transfer(new TransferIns(new TransferSpec("s", "g", "g1", AdaptChannels: true), Conv, SyntheticSites.Parameters(grey), initial,
            () => (grey.Layout, null)));
        Assert.Null(adapted.Problem);
        var kernel = rgb.Layout.Entries.Single(e => e.Name == "conv1.weight");
        var greyKernel = grey.Layout.Entries.Single(e => e.Name == "conv1.weight");
        // [32, 3, 3, 3] from [32, 1, 3, 3]: each output's 1-channel filter over the three channels, divided by 3.
        Assert.Equal(SyntheticSites.Parameters(grey)[(int)greyKernel.Offset] / 3f, adapted.Initial![(int)kernel.Offset], 6);
        Assert.Equal(adapted.Initial[(int)kernel.Offset], adapted.Initial[(int)kernel.Offset + 9], 6);
    }
}
