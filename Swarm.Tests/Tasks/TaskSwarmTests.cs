using Akka.Actor;
using Swarm.Tasks;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Tasks;
using Swarm.Actors.Training;
using Swarm.Node.Simulation;
using Swarm.Tests.Training;
using Xunit.Sdk;

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

    /// <summary>A swarm in a temporary folder whose sites log at debug level to a file there: a run that stalls
    /// fails with each site's progress and the end of that log.</summary>
    private sealed class SwarmRun : IAsyncDisposable
    {
        private readonly TempDirectory _dir = new();
        private readonly FileLog _log;

        public SwarmRun(TaskSpec spec, Func<int, SiteSettings, SiteSettings>? adjust = null, Func<TaskPeerContext, TaskPeerContext>? configure = null)
        {
            _log = new FileLog(_dir.Sub("protocol.log"), LogLevel.Debug);
            Swarm = new InProcessSwarm(spec, [1, 2, 3], _dir.Path,
                i => new SiteTrainer(Sites[i], i, SyntheticSites.Model(), SyntheticSites.Data(i), adjust?.Invoke(i, SyntheticSites.Settings()) ?? SyntheticSites.Settings()),
                SyntheticSites.InitialModel, _log, configure);
        }

        public InProcessSwarm Swarm { get; }

        /// <summary>How many blobs of <paramref name="kind"/> (the folder's name) a site's store holds.</summary>
        public int BlobCount(string site, string kind) =>
            Directory.EnumerateFiles(Path.Combine(_dir.Path, "blobs", site, kind)).Count(f => !f.EndsWith(".tmp", StringComparison.Ordinal));

        /// <summary>Reads events until every site ended; returns each site's last adopted model hash by site.</summary>
        public async Task<Dictionary<string, string>> RunToEndAsync(Func<object, Task>? onEvent = null)
        {
            try
            {
                return await ReadToEndAsync(onEvent);
            }
            catch (OperationCanceledException)
            {
                throw new XunitException($"the task did not end within {Patience}:\n{await DescribeAsync()}");
            }
        }

        private async Task<Dictionary<string, string>> ReadToEndAsync(Func<object, Task>? onEvent)
        {
            using var timeout = new CancellationTokenSource(Patience);
            var models = new Dictionary<string, string>(StringComparer.Ordinal);
            var ended = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var evt in Swarm.Events.ReadAllAsync(timeout.Token))
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

        private async Task<string> DescribeAsync()
        {
            var text = new StringBuilder();
            foreach (var (site, peer) in Swarm.Sites.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                try
                {
                    var progress = await peer.Ask<TaskProgress>(GetTaskProgress.Instance, TimeSpan.FromSeconds(5));
                    text.AppendLine(CultureInfo.InvariantCulture, $"{site}: {progress}");
                }
                catch (Exception e) when (e is TimeoutException or Akka.Actor.AskTimeoutException)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"{site}: no answer ({e.Message})");
                }
            }
            var lines = File.ReadLines(_dir.Sub("protocol.log")).TakeLast(300).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"the last {lines.Count} lines of the sites' log:");
            lines.ForEach(line => text.AppendLine(line));
            return text.ToString();
        }

        public async ValueTask DisposeAsync()
        {
            await Swarm.DisposeAsync();
            _log.Dispose();
            _dir.Dispose();
        }
    }

    [Fact]
    public async Task Four_sites_finish_a_task_with_one_model_and_one_chain()
    {
        await using var run = new SwarmRun(Spec(rounds: 2, quorum: 4));

        var models = await run.RunToEndAsync();

        Assert.Single(models.Values.Distinct());
        var chains = await Task.WhenAll(Enumerable.Range(0, Sites.Length).Select(run.Swarm.BlocksAsync));
        var first = chains[0];
        Assert.Contains(first, b => b.Kind.Contains("vote", StringComparison.Ordinal) && b.Round == 2);
        // Every site's ledger holds the same blocks up to the shortest one (the last may still be arriving).
        var common = chains.Min(c => c.Count);
        Assert.True(common >= 4, $"only {common} blocks in common");
        Assert.All(chains, c => Assert.Equal(first.Take(common).Select(b => b.Hash), c.Take(common).Select(b => b.Hash)));
        // A node's site keeps every update and final model (KeepOldBlobs, the default).
        Assert.All(Sites, site => Assert.Equal((8, 2), (run.BlobCount(site, "update"), run.BlobCount(site, "model"))));
    }

    [Fact]
    public async Task Sites_that_keep_no_old_blobs_hold_only_the_last_rounds_update_and_two_models_and_end_on_one_model()
    {
        await using var run = new SwarmRun(Spec(rounds: 4, quorum: 4), configure: context => context with { KeepOldBlobs = false });

        var models = await run.RunToEndAsync();

        Assert.Single(models.Values.Distinct());
        Assert.Equal(4, models.Count);
        // After adopting round 4: round 4's four updates and the models of rounds 3 and 4 (kept: 16 and 4).
        Assert.All(Sites, site => Assert.Equal((4, 2), (run.BlobCount(site, "update"), run.BlobCount(site, "model"))));
    }

    [Fact]
    public async Task A_site_voting_a_wrong_aggregate_is_outvoted_and_adopts_the_model_the_others_reproduced()
    {
        await using var run = new SwarmRun(Spec(rounds: 2, quorum: 4),
            (i, settings) => i == 3 ? settings with { Behavior = new SiteBehavior.WrongAggregateHash() } : settings);

        var finals = new List<FinalizedRound>();
        var models = await run.RunToEndAsync(evt =>
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
        Assert.Contains(await run.Swarm.BlocksAsync(0), b => b.Kind.Contains("vote", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_site_that_goes_down_mid_task_rejoins_from_its_ledger_and_ends_on_the_same_model()
    {
        // A deadline far below the test's patience: if site-3 goes down with its update on the chain and in no one
        // else's store, the others drop it after one deadline (and only then restart it).
        await using var run = new SwarmRun(Spec(rounds: 4, quorum: 3) with { RoundDeadline = TimeSpan.FromSeconds(15) });
        var stopped = false;
        var restarted = false;

        var models = await run.RunToEndAsync(async evt =>
        {
            if (evt is SiteRoundFinalized { Site: "site-0" } f)
            {
                if (f.Round.Round == 1 && !stopped)
                {
                    stopped = true;
                    await run.Swarm.StopSiteAsync("site-3");
                }
                else if (stopped && !restarted && f.Round.Included.All(u => u.Site != "site-3"))
                {
                    // The others finalized a round with 3 of 4, without it. (The round open when it went down may
                    // still include its update: published before the stop, it reached the others' replicas.)
                    restarted = true;
                    run.Swarm.StartSite("site-3");
                }
            }
        });

        Assert.True(restarted, "no round was finalized without site-3 while it was down");
        Assert.Single(models.Values.Distinct());
        Assert.Equal(4, models.Count);
        // Its announcement is on the chain (read from a site that never went down: the restarted site's own ledger
        // may have taken the task's last blocks by state transfer).
        Assert.Contains(await run.Swarm.BlocksAsync(0), b => b.Kind.Contains("rejoin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_site_that_withholds_its_updates_is_dropped_from_every_round_and_all_sites_end_on_one_model()
    {
        // Quorum 4 of 4: each round closes with site-3's update, whose bytes site-3 never gives anyone. Without the
        // drop rule the first round never ends.
        await using var run = new SwarmRun(Spec(rounds: 2, quorum: 4) with { RoundDeadline = TimeSpan.FromSeconds(6) },
            configure: context => context with { Fetcher = new WithholdingFetcher(context.Fetcher, "site-3") });
        var included = new List<string>();

        var models = await run.RunToEndAsync(evt =>
        {
            if (evt is SiteRoundFinalized { Site: "site-0" } f)
            {
                included.AddRange(f.Round.Included.Select(u => u.Site));
            }
            return Task.CompletedTask;
        });

        Assert.Single(models.Values.Distinct());
        Assert.Equal(4, models.Count);
        Assert.Equal(6, included.Count);
        Assert.DoesNotContain("site-3", included);
        Assert.Contains(await run.Swarm.BlocksAsync(0), b => b.Kind.Contains("missing", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The withholding attack: <paramref name="withholder"/> serves none of the updates it holds.</summary>
    private sealed class WithholdingFetcher(ITaskBlobFetcher inner, string withholder) : ITaskBlobFetcher
    {
        public Task<BlobFetch> FetchAsync(string taskId, string site, BlobKind kind, string hash, CancellationToken cancellationToken) =>
            site == withholder && kind == BlobKind.Update
                ? Task.FromResult(BlobFetch.Failed(site, kind, hash, TimeSpan.Zero, $"'{site}' withholds its updates"))
                : inner.FetchAsync(taskId, site, kind, hash, cancellationToken);
    }

    [Fact]
    public async Task The_task_resumes_after_every_site_goes_down_at_once()
    {
        // Replica timers far shorter than the 2 s gaps between restarts: the first site back is alone with a waiting
        // request for many of its view-change timeouts, and must still take part when the others are back (the
        // simulator's scenario "replicas restart one by one, slower than the view-change timers" shows the rule).
        await using var run = new SwarmRun(Spec(rounds: 4, quorum: 4), configure: context => context with
        {
            ReplicaOptions = context.ReplicaOptions with { RequestTimeoutTicks = 20, ViewChangeTimeoutTicks = 6 },
        });
        var outage = false;

        var models = await run.RunToEndAsync(async evt =>
        {
            if (evt is SiteRoundFinalized { Site: "site-0", Round.Round: 2 } && !outage)
            {
                outage = true;
                foreach (var site in Sites)
                {
                    await run.Swarm.StopSiteAsync(site);
                }
                foreach (var site in Sites)
                {
                    // Nodes come back one by one, as processes do: messages to a site not yet up are lost.
                    run.Swarm.StartSite(site);
                    await Task.Delay(TimeSpan.FromSeconds(2));
                }
            }
        });

        Assert.True(outage);
        Assert.Single(models.Values.Distinct());
        var chains = await Task.WhenAll(Enumerable.Range(0, Sites.Length).Select(run.Swarm.BlocksAsync));
        Assert.All(chains, chain => Assert.Contains(chain, b => b.Round == 4 && b.Kind.Contains("vote", StringComparison.Ordinal)));
    }
}
