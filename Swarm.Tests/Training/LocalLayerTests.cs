using Swarm.Actors.Training;
using Swarm.Learning.Training;
using Swarm.Learning.Updates;

namespace Swarm.Tests.Training;

/// <summary>FedPer personalization layers (Arivazhagan et al. 2019): the site never shares them and keeps its
/// own values of them whatever global model it adopts.</summary>
public sealed class LocalLayerTests
{
    private static ParameterLayout Layout(params (string Name, long Length, bool Trainable)[] entries)
    {
        var list = new List<ParameterEntry>();
        long offset = 0;
        foreach (var (name, length, trainable) in entries)
        {
            list.Add(new ParameterEntry(name, [(int)length], offset, length, trainable));
            offset += length;
        }
        return new ParameterLayout(list, offset);
    }

    private static readonly ParameterLayout Small = Layout(
        ("conv1.weight", 4, true), ("conv1.bias", 2, true), ("fc2.weight", 3, true), ("fc2.bias", 1, true),
        ("fc20.weight", 2, true), ("bn.running_mean", 2, false));

    [Fact]
    public void A_prefix_takes_the_whole_layer_and_no_layer_whose_name_only_starts_the_same()
    {
        var mask = LocalLayers.Mask(Small, ["fc2"]);

        Assert.Equal([2, 3], mask.Entries.ToArray());
        Assert.Equal(4, mask.Length);
        var local = Enumerable.Range(0, (int)Small.TotalLength).Where(i => mask.Contains(i));
        Assert.Equal([6, 7, 8, 9], local);
        Assert.Equal([0, 1, 2, 3, 4, 5, 10, 11, 12, 13], mask.SharedIndices());
    }

    [Fact]
    public void Zero_clears_only_the_local_coordinates()
    {
        var mask = LocalLayers.Mask(Small, ["fc20", "bn"]);
        var delta = Enumerable.Range(1, (int)Small.TotalLength).Select(i => (float)i).ToArray();

        mask.Zero(delta);

        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 0, 0], delta);
    }

    [Fact]
    public void An_unknown_prefix_is_refused_with_its_name_and_the_layers_of_the_model()
    {
        using var model = SyntheticSites.Model();

        var error = Assert.Throws<ArgumentException>(() => LocalLayers.Mask(model.Layout, ["fc2", "head"]));

        Assert.Contains("'head'", error.Message, StringComparison.Ordinal);
        Assert.Contains("conv1, conv2, fc1, fc2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_reports_what_mask_would_refuse_without_throwing()
    {
        Assert.Null(LocalLayers.Problem(Small, ["fc2", "bn"]));
        Assert.Null(LocalLayers.Problem(Small, []));
        Assert.Contains("'fc3'", LocalLayers.Problem(Small, ["fc3"]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_site_whose_settings_name_an_unknown_layer_is_not_built()
    {
        var settings = SyntheticSites.Settings() with { LocalLayers = ["classifier"] };

        using var model = SyntheticSites.Model();

        var error = Assert.Throws<ArgumentException>(
            () => new SiteTrainer("site-0", 0, model, SyntheticSites.Data(0), settings));

        Assert.Contains("'classifier'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blank_prefixes_and_prefixes_that_cover_every_trainable_parameter_are_refused()
    {
        Assert.Contains("blank", Assert.Throws<ArgumentException>(() => LocalLayers.Mask(Small, [" "])).Message,
            StringComparison.Ordinal);
        var all = Assert.Throws<ArgumentException>(() => LocalLayers.Mask(Small, ["conv1", "fc2", "fc20"]));
        Assert.Contains("share nothing", all.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_prefixes_keep_nothing_local()
    {
        var mask = LocalLayers.Mask(Small, []);

        Assert.True(mask.IsEmpty);
        Assert.Equal(Small.TotalLength, mask.SharedIndices().Length);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.05)]
    public void The_published_update_has_no_coordinate_in_a_local_layer(double theta)
    {
        var settings = SyntheticSites.Settings() with { LocalLayers = ["fc2"] };
        using var site = new SiteTrainer("site-0", 0, SyntheticSites.Model(), SyntheticSites.Data(0), settings);
        var global = SyntheticSites.InitialModel();

        var update = UpdateCodec.Decode(site.Train(new TrainIns(1, global, 1, 0, 1, theta)).Update.Bytes);

        var fc2 = site.LocalMask.Blocks;
        Assert.Equal(["fc2.weight", "fc2.bias"], fc2.Select(b => b.Name));
        Assert.DoesNotContain(update.Indices, i => site.LocalMask.Contains(i));
        var shared = global.Length - site.LocalMask.Length;
        Assert.Equal((int)Math.Ceiling(theta * shared), update.Count);
    }

    [Fact]
    public void Without_local_layers_the_classifier_is_shared_like_any_other_layer()
    {
        using var site = new SiteTrainer("site-0", 0, SyntheticSites.Model(), SyntheticSites.Data(0), SyntheticSites.Settings());
        var global = SyntheticSites.InitialModel();

        var update = UpdateCodec.Decode(site.Train(new TrainIns(1, global, 1, 0, 1, 1.0)).Update.Bytes);

        Assert.True(update.IsDense);
        Assert.True(site.LocalMask.IsEmpty);
    }

    [Fact]
    public void The_site_keeps_its_own_local_layer_values_when_it_adopts_a_global_model()
    {
        var model = SyntheticSites.Model();
        var settings = SyntheticSites.Settings() with { LocalLayers = ["fc2"] };
        using var site = new SiteTrainer("site-0", 0, model, SyntheticSites.Data(0), settings);
        var mask = LocalLayers.Mask(model.Layout, ["fc2"]);
        var global = SyntheticSites.InitialModel();
        var update = site.Train(new TrainIns(1, global, 1, 0, 2, 1.0)).Update;
        var trained = SyntheticSites.Parameters(model);
        // A global model whose classifier is far from anything the site trained.
        var foreign = global.Select((v, i) => mask.Contains(i) ? 100f : v + 0.25f).ToArray();

        site.Evaluate(new EvaluateIns(foreign, EvaluationSplit.Validation));
        AssertAdopted(foreign, trained, SyntheticSites.Parameters(model), mask);

        var verified = site.Verify(new AggregateIns(1, foreign, [update]) { Evaluate = true });
        Assert.Null(verified.Error);
        Assert.All(mask.Blocks, b => Assert.Equal(100f, verified.Parameters![(int)b.Offset]));
        AssertAdopted(verified.Parameters!, trained, SyntheticSites.Parameters(model), mask);

        site.Personalize(new PersonalizeIns(foreign, 0, 1e-4));
        AssertAdopted(foreign, trained, SyntheticSites.Parameters(model), mask);

        // Training starts from the site's own classifier, not the foreign one: it stays near the site's values.
        site.Train(new TrainIns(2, foreign, 1, 1, 2, 1.0));
        var after = SyntheticSites.Parameters(model);
        foreach (var i in Enumerable.Range(0, after.Length).Where(i => mask.Contains(i)))
        {
            Assert.InRange(after[i] - trained[i], -0.1f, 0.1f);
        }
    }

    [Fact]
    public void Without_local_layers_the_site_takes_the_global_classifier()
    {
        var model = SyntheticSites.Model();
        using var site = new SiteTrainer("site-0", 0, model, SyntheticSites.Data(0), SyntheticSites.Settings());
        var global = SyntheticSites.InitialModel();
        site.Train(new TrainIns(1, global, 1, 0, 1, 1.0));
        var foreign = global.Select(v => v + 0.25f).ToArray();

        site.Evaluate(new EvaluateIns(foreign, EvaluationSplit.Validation));

        Assert.Equal(foreign, SyntheticSites.Parameters(model));
    }

    private static void AssertAdopted(float[] global, float[] own, float[] actual, LocalLayerMask mask)
    {
        for (var i = 0; i < actual.Length; i++)
        {
            Assert.Equal(mask.Contains(i) ? own[i] : global[i], actual[i]);
        }
    }
}
