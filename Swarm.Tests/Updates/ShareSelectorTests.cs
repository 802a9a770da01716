using Swarm.Learning.Training;
using Swarm.Learning.Updates;

namespace Swarm.Tests.Updates;

public sealed class ShareSelectorTests
{
    // conv (4 weights), head (2, local under FedPer), fc (4 weights), bn running statistics (2, not trainable).
    private static readonly ParameterLayout Layout = new(
    [
        new ParameterEntry("conv.weight", [4], 0, 4, true),
        new ParameterEntry("head.weight", [2], 4, 2, true),
        new ParameterEntry("fc.weight", [4], 6, 4, true),
        new ParameterEntry("bn.running_mean", [2], 10, 2, false),
    ], 12);

    private static readonly float[] Delta = [5f, 4f, 3f, 2f, 9f, 9f, 0.1f, 0.2f, 0.3f, 0.4f, 100f, -100f];

    private static ShareSelector Selector(double theta, TopKScope scope = TopKScope.Global, string[]? local = null) =>
        new(Layout, LocalLayers.Mask(Layout, local ?? []), new SharingOptions(theta, Scope: scope));

    [Fact]
    public void Running_statistics_are_always_sent_whole_and_never_take_a_top_theta_place()
    {
        // θ = 0.2 of the 10 trainable coordinates: 2, the local-free largest ones; bn's ±100 go on top of them.
        var update = Selector(0.2).Select(Delta);

        Assert.Equal([4, 5, 10, 11], update.Indices);
        Assert.Equal(4, Selector(0.2).CoordinatesMax);
    }

    [Fact]
    public void Layer_scope_takes_the_top_share_of_every_layer()
    {
        var global = Selector(0.25, TopKScope.Global, ["head"]).Select(Delta);
        var layer = Selector(0.25, TopKScope.Layer, ["head"]).Select(Delta);

        // Global: ⌈0.25 · 8⌉ = 2 of conv and fc together, both from conv; per layer: one of conv and one of fc.
        Assert.Equal([0, 1, 10, 11], global.Indices);
        Assert.Equal([0, 9, 10, 11], layer.Indices);
    }

    [Fact]
    public void The_check_refuses_over_theta_local_and_per_layer_violations_with_a_reason()
    {
        var dense = SparseUpdate.Dense(Delta);
        Assert.Contains("allows at most 4", Selector(0.2).Check(dense), StringComparison.Ordinal);
        Assert.Null(Selector(1).Check(dense));
        Assert.Null(Selector(0.2).Check(Selector(0.2).Select(Delta)));

        var intoLocal = SparseUpdate.Create(12, [4, 10, 11], [1f, 1f, 1f]);
        Assert.Contains("'head.weight'", Selector(0.2, local: ["head"]).Check(intoLocal), StringComparison.Ordinal);

        // Two coordinates of conv where the per-layer rule allows one (the total is within the bound).
        var lopsided = SparseUpdate.Create(12, [0, 1, 10, 11], [1f, 1f, 1f, 1f]);
        Assert.Contains("layer 'conv.weight'", Selector(0.25, TopKScope.Layer, ["head"]).Check(lopsided), StringComparison.Ordinal);
        Assert.Contains("has 3 coordinates", Selector(1).Check(SparseUpdate.Dense([1f, 2f, 3f])), StringComparison.Ordinal);
    }

    [Fact]
    public void The_residual_is_the_unsent_part_of_the_selectable_coordinates()
    {
        var selector = Selector(0.2, local: ["head"]);
        var sent = selector.Select(Delta);
        var residual = selector.Residual(Delta, sent);

        Assert.Equal([0, 1, 10, 11], sent.Indices);
        Assert.Equal([0f, 0f, 3f, 2f, 0f, 0f, 0.1f, 0.2f, 0.3f, 0.4f, 0f, 0f], residual);
    }

    [Fact]
    public void Without_buffers_or_local_layers_global_selection_is_the_plain_top_theta()
    {
        var layout = new ParameterLayout([new ParameterEntry("w", [8], 0, 8, true)], 8);
        float[] delta = [0.1f, -0.5f, 0.2f, 9f, -9f, 0.4f, 0.05f, -0.3f];
        var selector = new ShareSelector(layout, LocalLayers.Mask(layout, []), new SharingOptions(0.5));

        Assert.Equal(PartialUpdate.SelectTop(delta, 0.5).Indices, selector.Select(delta).Indices);
        Assert.True(new ShareSelector(layout, LocalLayers.Mask(layout, []), SharingOptions.Full).Select(delta).IsDense);
    }
}
