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

        var first = await new SimulationRunner(options, models, new SilentProgress()).RunAsync(splits);
        var second = await new SimulationRunner(options, models, new SilentProgress()).RunAsync(splits);

        Assert.Equal(first.Rounds[0].ModelHash, second.Rounds[0].ModelHash);
        Assert.Equal(first.Swarm, second.Swarm);
        Assert.Equal(first.LocalOnly, second.LocalOnly);
        Assert.Empty(first.Blocks);
    }
}
