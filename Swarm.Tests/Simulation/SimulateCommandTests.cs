using System.Text.Json;
using Swarm.Node.Cli;
using Swarm.Node.Simulation;

namespace Swarm.Tests.Simulation;

public sealed class SimulateCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "swarm-simulate-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Simulate_writes_results_json_with_every_method()
    {
        var options = new SimulationOptions
        {
            Sites = 2, Rounds = 2, LocalEpochs = 1, TrainLimit = 160, Threads = 1, BatchSize = 32,
            PersonalizationEpochs = 1, Theta = 0.5,
        };

        var code = await SimulateCommand.RunAsync(options, _folder, quiet: true, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "results.json")));
        var final = json.RootElement.GetProperty("final");
        foreach (var method in new[] { "swarm", "centralized", "local_only_mean" })
        {
            Assert.InRange(final.GetProperty(method).GetProperty("auc").GetDouble(), 0, 1);
        }
        Assert.Equal(2, final.GetProperty("local_only").GetArrayLength());
        var personalized = final.GetProperty("personalized");
        Assert.Equal(2, personalized.GetArrayLength());
        Assert.InRange(personalized[0].GetProperty("personalized").GetProperty("auc").GetDouble(), 0, 1);
        var rounds = json.RootElement.GetProperty("rounds");
        Assert.Equal(2, rounds.GetArrayLength());
        Assert.Equal(2, rounds[1].GetProperty("updates").GetInt32());
        Assert.Equal(64, rounds[1].GetProperty("model_hash").GetString()!.Length);
        Assert.Contains("theta = 0.5", File.ReadAllText(Path.Combine(_folder, "config.conf")), StringComparison.Ordinal);
        Assert.Contains("No chain blocks", File.ReadAllText(Path.Combine(_folder, "report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_refuses_a_theta_outside_zero_to_one()
    {
        var code = await SimulateCommand.RunAsync(new SimulationOptions { Theta = 1.5 }, _folder, quiet: true, CancellationToken.None);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.False(Directory.Exists(_folder));
    }

    [Fact]
    public async Task Simulate_refuses_krum_with_fewer_updates_than_it_needs_before_training()
    {
        var code = await SimulateCommand.RunAsync(new SimulationOptions { Strategy = "krum", Sites = 4 }, _folder, quiet: true, CancellationToken.None);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("krum", new SimulationOptions { Strategy = "krum", Sites = 4 }.Validate(), StringComparison.Ordinal);
        Assert.Null(new SimulationOptions { Strategy = "krum", Sites = 5 }.Validate());
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
