using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Swarm.Node.Simulation;
using Swarm.Node.Simulation.Reporting;

namespace Swarm.Tests.Simulation;

public sealed class SimulationRunnerTests
{
    [Fact]
    public async Task A_simulation_replays_exactly_from_its_seed()
    {
        var options = new SimulationOptions
        {
            Sites = 2, Rounds = 1, TrainLimit = 96, Threads = 1, BatchSize = 32, PersonalizationEpochs = 0,
            Partition = "dirichlet", Alpha = 0.5,
        };
        var splits = MedMnist.Load(options.Dataset);
        var train = splits.Train;
        Func<ITrainer> models = () => TorchTrainer.Create(options.Model, train.Channels, train.Classes, train.Height, (ulong)options.Seed);

        var root = Path.Combine(Path.GetTempPath(), "swarm-replay-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = await new SimulationRunner(options, models, new SilentProgress(), Path.Combine(root, "a")).RunAsync(splits);
            var second = await new SimulationRunner(options, models, new SilentProgress(), Path.Combine(root, "b")).RunAsync(splits);

            Assert.Equal(first.Rounds[0].ModelHash, second.Rounds[0].ModelHash);
            Assert.Equal(first.Swarm, second.Swarm);
            Assert.Equal(first.LocalOnly, second.LocalOnly);
            // The round was decided on the task's chain: its blocks hold both updates and the votes.
            Assert.Contains(first.Blocks, b => b.Kind.Contains("update", StringComparison.Ordinal));
            Assert.Contains(first.Blocks, b => b.Kind.Contains("vote", StringComparison.Ordinal) && b.Round == 1);
            Assert.All(first.Blocks, b => Assert.True(b.Signatures >= 2));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task With_fedper_local_layers_the_swarm_is_scored_on_each_sites_own_head()
    {
        var options = new SimulationOptions
        {
            Sites = 2, Rounds = 2, TrainLimit = 128, Threads = 1, BatchSize = 32, PersonalizationEpochs = 0,
            LocalLayers = ["fc2"],
        };
        var splits = MedMnist.Load(options.Dataset);
        var train = splits.Train;
        Func<ITrainer> models = () => TorchTrainer.Create(options.Model, train.Channels, train.Classes, train.Height, (ulong)options.Seed);
        var root = Path.Combine(Path.GetTempPath(), "swarm-fedper-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = await new SimulationRunner(options, models, new SilentProgress(), root).RunAsync(splits);

            Assert.Equal(["site-0", "site-1"], result.SwarmPerSite.Select(s => s.Site));
            Assert.Equal(Score.Mean(result.SwarmPerSite.Select(s => s.Score)), result.Swarm);
            // Each site's head was trained on its own data, so the two models differ; the global head (never
            // trained, as no site shares it) would give one score for both.
            Assert.NotEqual(result.SwarmPerSite[0].Score, result.SwarmPerSite[1].Score);
            Assert.Contains(result.Notes, n => n.StartsWith("FedPer", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
