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
            PersonalizationEpochs = 1, Theta = 0.5, Partition = "iid",
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
        // The chain's blocks are in the report, and each site's SQLite chain journal stays beside it.
        var blocks = json.RootElement.GetProperty("blocks");
        Assert.Contains(blocks.EnumerateArray(), b => b.GetProperty("kind").GetString()!.Contains("vote", StringComparison.Ordinal));
        Assert.Contains("| 1 | ", File.ReadAllText(Path.Combine(_folder, "report.md")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder, "swarm", "chain", "site-0.journal.db")));
    }

    [Fact]
    public async Task Simulate_with_local_dp_reports_each_sites_epsilon_from_the_chain_and_a_central_dp_baseline()
    {
        var options = new SimulationOptions
        {
            Sites = 2, Rounds = 2, LocalEpochs = 1, TrainLimit = 160, Threads = 1, BatchSize = 32, PersonalizationEpochs = 0,
            Dp = "local", NoiseMultiplier = 1.2, ClipNorm = 1.0, Delta = 1e-4, Partition = "iid",
        };

        var code = await SimulateCommand.RunAsync(options, _folder, quiet: true, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "results.json")));
        var privacy = json.RootElement.GetProperty("privacy");
        Assert.Equal(2, privacy.GetArrayLength());
        foreach (var site in privacy.EnumerateArray())
        {
            // 80 images per site, batch 32: q = 0.4, round(1 / 0.4) = 3 steps per round, 2 rounds.
            var (q, steps) = (site.GetProperty("sampling_rate").GetDouble(), site.GetProperty("steps").GetInt64());
            Assert.Equal((0.4, 6L), (q, steps));
            Assert.Equal(Swarm.Learning.Privacy.RdpAccountant.ComputeEpsilon(q, 1.2, steps, 1e-4).Epsilon, site.GetProperty("epsilon").GetDouble());
        }
        var central = json.RootElement.GetProperty("central_dp_privacy");
        Assert.Equal(160, central.GetProperty("samples").GetInt64());
        Assert.InRange(json.RootElement.GetProperty("final").GetProperty("central_dp").GetProperty("auc").GetDouble(), 0, 1);
        Assert.Contains("mode = local", File.ReadAllText(Path.Combine(_folder, "config.conf")), StringComparison.Ordinal);
        Assert.Contains("## Privacy spent", File.ReadAllText(Path.Combine(_folder, "report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_at_several_seeds_writes_a_report_per_seed_and_a_summary_with_intervals_and_paired_tests()
    {
        var options = new SimulationOptions { Sites = 2, Rounds = 1, TrainLimit = 120, Threads = 1, BatchSize = 32, PersonalizationEpochs = 0 };

        var code = await SimulateCommand.RunAsync(options, _folder, quiet: true, CancellationToken.None, seedsText: "4,7");

        Assert.Equal(ExitCodes.Ok, code);
        foreach (var seed in new[] { 4, 7 })
        {
            using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, $"seed-{seed}", "results.json")));
            Assert.Equal(seed, run.RootElement.GetProperty("seed").GetInt32());
            var swarm = run.RootElement.GetProperty("test_intervals").GetProperty("swarm");
            Assert.InRange(swarm.GetProperty("estimate").GetDouble(), swarm.GetProperty("low").GetDouble(), swarm.GetProperty("high").GetDouble());
            Assert.Equal(2, run.RootElement.GetProperty("site_data").GetArrayLength());
        }
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "summary.json")));
        Assert.Equal([4, 7], summary.RootElement.GetProperty("seeds").EnumerateArray().Select(s => s.GetInt32()));
        var comparisons = summary.RootElement.GetProperty("comparisons");
        Assert.Equal("paired t-test across 2 seeds (df = 1)", comparisons[0].GetProperty("test_used").GetString());
        Assert.Equal(2, comparisons[0].GetProperty("per_seed").GetArrayLength());
        var md = File.ReadAllText(Path.Combine(_folder, "report.md"));
        Assert.Contains("## Which differences are significant", md, StringComparison.Ordinal);
        Assert.Contains("hospital(size-exponent=1.5, alpha=0.3)", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Seeds_are_a_count_from_the_first_seed_or_a_list()
    {
        Assert.Equal([5, 6, 7], SimulateCommand.ParseSeeds("3", 5, out var countProblem));
        Assert.Null(countProblem);
        Assert.Equal([1, 2, 9], SimulateCommand.ParseSeeds("1, 2,9", 5, out var listProblem));
        Assert.Null(listProblem);
        Assert.Equal([5], SimulateCommand.ParseSeeds(null, 5, out _));
        SimulateCommand.ParseSeeds("0", 1, out var zero);
        Assert.Contains("1..100", zero, StringComparison.Ordinal);
        SimulateCommand.ParseSeeds("1,1", 1, out var repeated);
        Assert.Contains("repeats", repeated, StringComparison.Ordinal);
        SimulateCommand.ParseSeeds("a,b", 1, out var words);
        Assert.NotNull(words);
    }

    [Fact]
    public void Simulate_refuses_dopamine_without_secure_aggregation_and_dp_on_a_batch_norm_model_with_the_validators_reason()
    {
        Assert.Contains("dopamine needs task.privacy.secure-aggregation = true", new SimulationOptions { Dp = "dopamine" }.Validate(), StringComparison.Ordinal);
        Assert.Contains("model 'resnet18' does not give", new SimulationOptions { Dp = "local", Model = "resnet18" }.Validate(), StringComparison.Ordinal);
        Assert.Null(new SimulationOptions { Dp = "local" }.Validate());
    }

    [Fact]
    public void Simulate_refuses_fedper_over_node_processes_whose_per_site_heads_the_report_cannot_score()
    {
        Assert.Contains("--local-layers cannot run with --processes",
            new SimulationOptions { Processes = true, LocalLayers = ["fc2"] }.Validate(), StringComparison.Ordinal);
        Assert.Null(new SimulationOptions { LocalLayers = ["fc2"] }.Validate());
        Assert.Null(new SimulationOptions { Processes = true }.Validate());
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

    [Fact]
    public async Task Node_processes_over_mutual_tls_reach_the_same_models_as_the_sites_in_one_process()
    {
        var options = new SimulationOptions
        {
            Sites = 4, Rounds = 2, TrainLimit = 400, Threads = 1, BatchSize = 32, PersonalizationEpochs = 0, Theta = 0.5, Quorum = 4,
            Partition = "iid",
        };
        var inProcess = Path.Combine(_folder, "in-process");
        var processes = Path.Combine(_folder, "processes");

        Assert.Equal(ExitCodes.Ok, await SimulateCommand.RunAsync(options, inProcess, quiet: true, CancellationToken.None));
        Assert.Equal(ExitCodes.Ok, await SimulateCommand.RunAsync(options with { Processes = true, PortBase = 27600 }, processes, quiet: true,
            CancellationToken.None));

        static string[] Hashes(string folder)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
            return [.. json.RootElement.GetProperty("rounds").EnumerateArray().Select(r => r.GetProperty("model_hash").GetString()!)];
        }
        // Same split, seeds and deterministic aggregation: every round's global model is bit-identical.
        Assert.Equal(2, Hashes(processes).Length);
        Assert.Equal(Hashes(inProcess), Hashes(processes));
        Assert.True(File.Exists(Path.Combine(processes, "swarm", "cluster", "node-a", "data", "node.sqlite")));
    }

    [Fact]
    public void Byzantine_sites_are_parsed_and_checked_against_the_number_of_sites()
    {
        var parsed = SimulationOptions.ParseByzantine("3=poison, 1=wrong-hash", out var problem);
        Assert.Null(problem);
        Assert.Equal("poison", parsed[3]);
        Assert.IsType<Swarm.Actors.Training.SiteBehavior.WrongAggregateHash>(new SimulationOptions { Byzantine = parsed }.BehaviorOf(1));
        Assert.Equal(Swarm.Actors.Training.SiteBehavior.Honest, new SimulationOptions { Byzantine = parsed }.BehaviorOf(0));

        SimulationOptions.ParseByzantine("3=lies", out var kindProblem);
        Assert.Contains("'3=lies' is not INDEX=poison or INDEX=wrong-hash", kindProblem, StringComparison.Ordinal);
        Assert.Contains("names site 7", new SimulationOptions { Byzantine = new Dictionary<int, string> { [7] = "poison" } }.Validate(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
