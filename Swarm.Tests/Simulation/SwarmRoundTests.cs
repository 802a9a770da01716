using Swarm.Actors.Runtime;
using Swarm.Actors.Training;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Swarm.Learning.Updates;
using Swarm.Node.Simulation;
using Swarm.Tests.TestKit;
using Swarm.Tests.Training;

namespace Swarm.Tests.Simulation;

/// <summary>Rounds over real Trainer actors that train SmallCnn with libtorch on small synthetic image sets.</summary>
public sealed class SwarmRoundTests : ActorTestKit
{
    private static readonly TimeSpan Training = TimeSpan.FromSeconds(120);
    private static readonly ImageShape Shape = new(1, 28, 28);

    private static SiteData Data(int seed)
    {
        ImageDataset Set(int count, int s)
        {
            var data = SyntheticImages.Make(count, Shape, 2, s);
            return new ImageDataset("synthetic", 1, 28, 28, 2, data.Images.ToArray(), data.Labels.ToArray());
        }
        return new SiteData(Set(48 + 16 * seed, seed), Set(16, 100 + seed), Set(16, 200 + seed));
    }

    private ActorRef Site(int index, SiteSettings settings) =>
        Sys.ActorOf(Props.Create(() => new TrainerActor(() =>
            new SiteTrainer($"site-{index}", index, TorchTrainer.Create("smallcnn", 1, 2, 28, 7), Data(index), settings))), $"site-{index}");

    private static SiteSettings Settings(IAggregationStrategy strategy) => new(
        new TrainOptions { BatchSize = 16, LearningRate = 1e-3, Seed = 3, Threads = 1 }, LearningRateSchedule.Constant, strategy);

    private static float[] InitialModel()
    {
        using var model = TorchTrainer.Create("smallcnn", 1, 2, 28, 7);
        var parameters = new float[model.Layout.TotalLength];
        model.GetParameters(parameters);
        return parameters;
    }

    [Fact]
    public async Task A_silent_site_does_not_block_the_round_past_the_quorum()
    {
        var settings = Settings(new FedAvg());
        var silent = CreateProbe();
        var sites = new Dictionary<string, ActorRef>
        {
            ["site-0"] = Site(0, settings),
            ["site-1"] = Site(1, settings),
            ["site-2"] = silent.Ref,
        };
        var coordinator = Sys.ActorOf(Props.Create(() => new RoundCoordinatorActor(sites, 2, settings.Strategy)), "coordinator");
        var requester = CreateProbe();
        var global = InitialModel();

        requester.Send(coordinator, new RunRound(new TrainIns(1, global, 1, 0, 1, 1.0)));

        var asked = await silent.ExpectMsgAsync<TrainIns>(timeout: Training, phase: "silent site gets the round");
        Assert.Equal(1, asked.Round);
        var done = await requester.ExpectMsgAsync<RoundCompleted>(timeout: Training, phase: "round with 2 of 3 sites");
        Assert.True(done.Decision.Accepted, done.Decision.Reason);
        Assert.Equal(["site-0", "site-1"], done.Decision.Updates.Select(u => u.SiteId));
        Assert.Equal(2, done.Results.Count);
        Assert.NotEqual(ModelDigest.Hex(global), done.Decision.Proposal.ModelHash);
    }

    [Fact]
    public async Task Every_site_computes_the_identical_aggregate_hash_and_partial_updates_move_only_shared_coordinates()
    {
        var settings = Settings(new FedAvg());
        var refs = Enumerable.Range(0, 3).ToDictionary(s => $"site-{s}", s => Site(s, settings));
        var probe = CreateProbe();
        var global = InitialModel();

        var results = new List<TrainRes>();
        foreach (var site in refs.Values)
        {
            probe.Send(site, new TrainIns(1, global, 1, 0, 1, 0.1));
            results.Add(await probe.ExpectMsgAsync<TrainRes>(timeout: Training, phase: "local training"));
        }
        var updates = results.Select(r => r.Update).ToArray();
        foreach (var site in refs.Values)
        {
            probe.Send(site, new AggregateIns(1, global, updates));
        }
        var votes = new List<AggregateRes>();
        for (var i = 0; i < refs.Count; i++)
        {
            votes.Add(await probe.ExpectMsgAsync<AggregateRes>(timeout: Training, phase: "recomputation"));
        }

        var expected = RoundAggregate.Compute(new FedAvg(), global, updates);
        Assert.All(votes, v => Assert.Null(v.Error));
        Assert.All(votes, v => Assert.Equal(expected.ModelHash, v.ModelHash));
        Assert.All(votes, v => Assert.Equal(expected.AggregateHash, v.AggregateHash));
        var shared = updates.SelectMany(u => UpdateCodec.Decode(u.Bytes).Indices).ToHashSet();
        Assert.InRange(shared.Count, 1, global.Length / 3);
        for (var i = 0; i < global.Length; i++)
        {
            if (!shared.Contains(i))
            {
                Assert.Equal(global[i], expected.Parameters[i]);
            }
        }
        Assert.Contains(shared, i => expected.Parameters[i] != global[i]);
    }
}
