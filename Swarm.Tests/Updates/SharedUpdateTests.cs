using Swarm.Learning.Training;
using Swarm.Learning.Updates;

namespace Swarm.Tests.Updates;

public sealed class SharedUpdateTests
{
    // Layers a (3), head (2), b (3): "head" stays local.
    private static readonly ParameterLayout Layout = new(
    [
        new ParameterEntry("a.weight", [3], 0, 3, true),
        new ParameterEntry("head.weight", [2], 3, 2, true),
        new ParameterEntry("b.weight", [3], 5, 3, true),
    ], 8);

    [Fact]
    public void The_top_share_is_chosen_among_the_shared_coordinates_only()
    {
        var mask = LocalLayers.Mask(Layout, ["head"]);
        float[] delta = [0.1f, -0.5f, 0.2f, 9f, -9f, 0.4f, 0.05f, -0.3f];

        // θ = 0.5 of the 6 shared coordinates: the three largest of them, never the (larger) local ones.
        var update = SharedUpdate.SelectTop(delta, 0.5, mask);

        Assert.Equal(8, update.Length);
        Assert.Equal([1, 5, 7], update.Indices);
        Assert.Equal([-0.5f, 0.4f, -0.3f], update.Values);
    }

    [Fact]
    public void With_theta_one_every_shared_coordinate_and_no_local_one_is_published()
    {
        var mask = LocalLayers.Mask(Layout, ["head"]);
        var delta = Enumerable.Range(1, 8).Select(i => (float)i).ToArray();

        var update = SharedUpdate.SelectTop(delta, 1.0, mask);

        Assert.Equal([0, 1, 2, 5, 6, 7], update.Indices);
        Assert.False(update.IsDense);
    }

    [Fact]
    public void Without_local_layers_it_is_the_plain_top_share_byte_for_byte()
    {
        float[] delta = [0.1f, -0.5f, 0.2f, 9f, -9f, 0.4f, 0.05f, -0.3f];

        var shared = SharedUpdate.SelectTop(delta, 0.25, LocalLayers.Mask(Layout, []));

        Assert.Equal(UpdateCodec.Encode(PartialUpdate.SelectTop(delta, 0.25)), UpdateCodec.Encode(shared));
    }

    [Fact]
    public void A_delta_of_another_length_than_the_mask_is_refused()
    {
        var mask = LocalLayers.Mask(Layout, ["head"]);

        var error = Assert.Throws<ArgumentException>(() => SharedUpdate.SelectTop(new float[5], 0.5, mask));

        Assert.Contains("5 coordinates", error.Message, StringComparison.Ordinal);
    }
}
