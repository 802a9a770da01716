using Swarm.Actors.Tasks;
using Swarm.Actors.Training;
using Swarm.Learning.Tasks;
using Swarm.Node.Simulation;
using Swarm.Tests.Blobs;
using Swarm.Tests.Training;

namespace Swarm.Tests.Tasks;

/// <summary>Whole tasks on their PBFT chain with real (small) SmallCnn training: four task peers, each on its own
/// actor system with its own key, SQLite ledger and blobs, reaching each other only by messages.</summary>
public sealed class TaskSwarmTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);
    private static readonly string[] Sites = ["site-0", "site-1", "site-2", "site-3"];

    private static TaskSpec Spec(int rounds, int quorum) => new()
    {
        Id = "t",
        Model = "smallcnn",
        Participants = Sites,
        Datasets = Sites.ToDictionary(s => s, _ => "synthetic"),
        Rounds = rounds,
        Quorum = quorum,
        RoundDeadline = TimeSpan.FromMinutes(2),
        Personalization = new PersonalizationSpec("none", 0),
    };

    private static InProcessSwarm Swarm(TempDirectory dir, TaskSpec spec, Func<int, SiteSettings, SiteSettings>? adjust = null) =>
        new(spec, [1, 2, 3], dir.Path,
            i => new SiteTrainer(Sites[i], i, SyntheticSites.Model(), SyntheticSites.Data(i), adjust?.Invoke(i, SyntheticSites.Settings()) ?? SyntheticSites.Settings()),
            SyntheticSites.InitialModel);

    /// <summary>Reads events until every site ended; returns each site's last adopted model hash by site.</summary>
    private static async Task<Dictionary<string, string>> RunToEndAsync(InProcessSwarm swarm, Func<object, Task>? onEvent = null)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var models = new Dictionary<string, string>(StringComparer.Ordinal);
        var ended = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var evt in swarm.Events.ReadAllAsync(timeout.Token))
        {
            switch (evt)
            {
                case SiteRoundFinalized finalized:
                    models[finalized.Site] = finalized.Round.ModelHash;
                    break;
                case SiteTaskEnded end:
                    Assert.Equal(TaskState.Completed, end.State);
                    ended.Add(end.Site);
                    break;
            }
            if (onEvent is not null)
            {
                await onEvent(evt);
            }
            if (ended.Count == Sites.Length)
            {
                break;
            }
        }
        return models;
    }

    [Fact]
    public async Task Four_sites_finish_a_task_with_one_model_and_one_chain()
    {
        using var dir = new TempDirectory();
        await using var swarm = Swarm(dir, Spec(rounds: 2, quorum: 4));

        var models = await RunToEndAsync(swarm);

        Assert.Single(models.Values.Distinct());
        var chains = Enumerable.Range(0, Sites.Length).Select(swarm.Blocks).ToList();
        var first = chains[0];
        Assert.Contains(first, b => b.Kind.Contains("vote", StringComparison.Ordinal) && b.Round == 2);
        // Every site's ledger holds the same blocks up to the shortest one (the last may still be arriving).
        var common = chains.Min(c => c.Count);
        Assert.True(common >= 4, $"only {common} blocks in common");
        Assert.All(chains, c => Assert.Equal(first.Take(common).Select(b => b.Hash), c.Take(common).Select(b => b.Hash)));
    }

    [Fact]
    public async Task A_site_voting_a_wrong_aggregate_is_outvoted_and_adopts_the_model_the_others_reproduced()
    {
        using var dir = new TempDirectory();
        await using var swarm = Swarm(dir, Spec(rounds: 2, quorum: 4),
            (i, settings) => i == 3 ? settings with { Behavior = new SiteBehavior.WrongAggregateHash() } : settings);

        var finals = new List<FinalizedRound>();
        var models = await RunToEndAsync(swarm, evt =>
        {
            if (evt is SiteRoundFinalized { Site: "site-0" } f)
            {
                finals.Add(f.Round);
            }
            return Task.CompletedTask;
        });

        // The liar fetched the final model from an agreeing site, so all four end on one model.
        Assert.Single(models.Values.Distinct());
        Assert.Equal(2, finals.Count);
        Assert.All(finals, f => Assert.DoesNotContain("site-3", f.Agreeing));
        Assert.All(finals, f => Assert.Equal(3, f.Agreeing.Count));
        // Its votes are on the chain, with the hash it claimed, and never decided a round.
        Assert.Contains(swarm.Blocks(0), b => b.Kind.Contains("vote", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_site_that_goes_down_mid_task_rejoins_from_its_ledger_and_ends_on_the_same_model()
    {
        using var dir = new TempDirectory();
        await using var swarm = Swarm(dir, Spec(rounds: 4, quorum: 3));
        var stopped = false;
        var restarted = false;
        var finalsWhileDown = 0;

        var models = await RunToEndAsync(swarm, async evt =>
        {
            if (evt is SiteRoundFinalized { Site: "site-0" } f)
            {
                if (f.Round.Round == 1 && !stopped)
                {
                    stopped = true;
                    await swarm.StopSiteAsync("site-3");
                }
                else if (stopped && !restarted)
                {
                    Assert.DoesNotContain("site-3", f.Round.Included.Select(u => u.Site));
                    if (++finalsWhileDown == 2)
                    {
                        restarted = true;
                        swarm.StartSite("site-3");
                    }
                }
            }
        });

        Assert.True(restarted);
        Assert.Single(models.Values.Distinct());
        Assert.Equal(4, models.Count);
        Assert.Contains(swarm.Blocks(3), b => b.Kind.Contains("rejoin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_task_resumes_after_every_site_goes_down_at_once()
    {
        using var dir = new TempDirectory();
        await using var swarm = Swarm(dir, Spec(rounds: 4, quorum: 4));
        var outage = false;

        var models = await RunToEndAsync(swarm, async evt =>
        {
            if (evt is SiteRoundFinalized { Site: "site-0", Round.Round: 2 } && !outage)
            {
                outage = true;
                foreach (var site in Sites)
                {
                    await swarm.StopSiteAsync(site);
                }
                foreach (var site in Sites)
                {
                    // Nodes come back one by one, as processes do: messages to a site not yet up are lost.
                    swarm.StartSite(site);
                    await Task.Delay(TimeSpan.FromSeconds(2));
                }
            }
        });

        Assert.True(outage);
        Assert.Single(models.Values.Distinct());
        Assert.All(Enumerable.Range(0, Sites.Length), i => Assert.Contains(swarm.Blocks(i), b => b.Round == 4 && b.Kind.Contains("vote", StringComparison.Ordinal)));
    }
}
