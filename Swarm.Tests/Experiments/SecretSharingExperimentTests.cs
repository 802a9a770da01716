using Swarm.Node.Cli;
using Swarm.Node.Experiments;

namespace Swarm.Tests.Experiments;

public sealed class SecretSharingExperimentTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string _folder => _temp.Sub("report");

    [Fact]
    public void The_secret_shared_arm_differs_from_the_plain_one_only_in_the_round_mode_and_runs_the_swarm_alone()
    {
        var experiment = new SecretSharingExperiment(new SecretSharingExperiment.Settings(), TextWriter.Null);
        var plain = experiment.OptionsFor("breastmnist", 2, shared: false);
        var shared = experiment.OptionsFor("breastmnist", 2, shared: true);

        // Collections compared by reference in a record: carry the shared arm's over.
        Assert.Equal(plain with { SecretSharing = true, SwarmOnly = true, Byzantine = shared.Byzantine, LocalLayers = shared.LocalLayers }, shared);
        Assert.Null(shared.Validate());
        Assert.True(shared.Privacy.SecretSharing);
    }

    [Fact]
    public void A_site_sends_n_minus_one_copies_of_its_update_plain_and_of_its_sealed_seeds_and_eight_byte_partial_sum_shared()
    {
        var (plain, shared) = SecretSharingExperiment.BytesPerSiteRound(1_000_000, 4);

        Assert.InRange(plain, 3 * 4_000_000L, 3 * 4_000_100L);
        Assert.InRange(shared, 3 * 8_000_000L, 3 * 8_001_000L);
    }

    [Fact]
    public async Task A_tiny_run_writes_the_four_methods_with_time_and_bytes_per_round()
    {
        var settings = new SecretSharingExperiment.Settings
        {
            Datasets = ["breastmnist"], Seeds = [1], Sites = 3, Rounds = 1, TrainLimit = 90, Threads = 1,
        };

        Assert.Equal(ExitCodes.Ok, await SecretSharingExperimentCommand.RunAsync(settings, _folder, CancellationToken.None));

        var table = File.ReadAllLines(Path.Combine(_folder, "secret-sharing.md"));
        foreach (var method in new[] { "plain swarm", "secret-shared swarm", "centralized", "local-only (mean of sites)" })
        {
            Assert.Single(table, line => line.StartsWith($"| breastmnist | {method} | 1 |", StringComparison.Ordinal));
        }
        Assert.Contains(table, line => line.Contains("round time secret-shared / plain", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(_folder, "breastmnist-seed1-shared", "results.json")));
    }

    [Fact]
    public void Fewer_than_three_sites_are_refused_before_anything_runs()
    {
        Assert.Contains("--sites must be at least 3", new SecretSharingExperiment.Settings { Sites = 2 }.Problem(), StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
