using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Swarm.Node.Simulation;

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
}
