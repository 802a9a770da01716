using System.Text;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Tasks;
using Swarm.Actors.Training;
using Swarm.Learning.Privacy;
using Swarm.Node.Persistence;
using Swarm.Node.Simulation;
using Swarm.Tasks;
using Swarm.Tests.Training;
using Xunit.Sdk;

namespace Swarm.Tests.Tasks;

/// <summary>Local DP in whole tasks: four in-process sites on their PBFT chain, SmallCnn on 32 synthetic images each
/// (batch 16, so q = 0.5 and 2 DP-SGD steps per round).</summary>
public sealed class TaskSwarmPrivacyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);
    private static readonly string[] Sites = ["site-0", "site-1", "site-2", "site-3"];
    private const int SamplesPerSite = 32;
    private const double Sigma = 1.0;
    private const double Delta = 1e-5;
    private static readonly double Q = SitePrivacyPlan.SamplingRateOf(16, SamplesPerSite);

    private static TaskSpec Spec(int rounds, string mode) => new()
    {
        Id = "dp",
        Model = "smallcnn",
        Participants = Sites,
        Datasets = Sites.ToDictionary(s => s, _ => "synthetic"),
        Rounds = rounds,
        Optimizer = new OptimizerSpec("adam", 1e-3, BatchSize: 16),
        RoundDeadline = TimeSpan.FromMinutes(2),
        Personalization = new PersonalizationSpec("none", 0),
        Privacy = new PrivacySpec(mode, Sigma, ClipNorm: 1.0, Delta),
    };

    /// <summary>What a finished run leaves: each site's end, its last adopted model hash, and site 0's chain.</summary>
    private sealed record RunResult(Dictionary<string, SiteTaskEnded> Ended, Dictionary<string, string> Models, List<TaskRequest> Requests)
    {
        /// <summary>Every (site, round, model hash) a site reported final, in the order seen.</summary>
        public List<(string Site, int Round, string Hash)> Finalized { get; } = [];
    }

    /// <summary>Runs <paramref name="spec"/> to the end; sites train with the spec's privacy block unless
    /// <paramref name="trainWithSpecPrivacy"/> is false (a trainer that ignores it).</summary>
    private static async Task<RunResult> RunAsync(TaskSpec spec, PrivacyBudget? budgetOfSite1 = null, bool trainWithSpecPrivacy = true)
    {
        using var dir = new TempDirectory();
        using var log = new FileLog(dir.Sub("protocol.log"), LogLevel.Debug);
        var privacy = spec.Privacy.Mode == PrivacyModes.Local
            ? Sites.Select((_, i) => new SitePrivacy(SamplesPerSite, i == 1 ? budgetOfSite1 : null)).ToList()
            : null;
        var settings = SyntheticSites.Settings() with { Privacy = trainWithSpecPrivacy ? spec.Privacy : new PrivacySpec() };
        var swarm = new InProcessSwarm(spec, TaskSpecCodec.Encode(spec), dir.Path,
            i => new SiteTrainer(Sites[i], i, SyntheticSites.Model(), SyntheticSites.Data(i), settings),
            SyntheticSites.InitialModel, log, privacy: privacy);
        var ended = new Dictionary<string, SiteTaskEnded>(StringComparer.Ordinal);
        var models = new Dictionary<string, string>(StringComparer.Ordinal);
        var finalizedRounds = new List<(string Site, int Round, string Hash)>();
        try
        {
            using var timeout = new CancellationTokenSource(Patience);
            await foreach (var evt in swarm.Events.ReadAllAsync(timeout.Token))
            {
                switch (evt)
                {
                    case SiteRoundFinalized finalized:
                        models[finalized.Site] = finalized.Round.ModelHash;
                        finalizedRounds.Add((finalized.Site, finalized.Round.Round, finalized.Round.ModelHash));
                        break;
                    case SiteTaskEnded end:
                        ended[end.Site] = end;
                        break;
                }
                if (ended.Count == Sites.Length)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            var text = new StringBuilder($"the task did not end within {Patience}; the end of the sites' log:\n");
            File.ReadLines(dir.Sub("protocol.log")).TakeLast(200).ToList().ForEach(line => text.AppendLine(line));
            await swarm.DisposeAsync();
            throw new XunitException(text.ToString());
        }
        await swarm.DisposeAsync();
        var chain = await ChainJournalConfig.ReadChainAsync(swarm.JournalOf(swarm.Spec.Participants[0]), swarm.Genesis, InProcessSwarm.ReadTimeout);
        var requests = chain
            .SelectMany(b => b.Block.Requests)
            .Select(r => TaskRequest.TryDecode(r.Payload, out _, out _, out _))
            .OfType<TaskRequest>().ToList();
        var result = new RunResult(ended, models, requests);
        result.Finalized.AddRange(finalizedRounds);
        return result;
    }

    private static double AccountantEpsilon(long steps) => RdpAccountant.ComputeEpsilon(Q, Sigma, steps, Delta).Epsilon;

    [Fact]
    public async Task A_local_dp_task_noises_every_round_and_its_blocks_record_the_accountants_epsilon()
    {
        var first = await RunAsync(Spec(rounds: 2, PrivacyModes.Local));
        var second = await RunAsync(Spec(rounds: 2, PrivacyModes.Local));

        Assert.All(first.Ended.Values, e => Assert.Equal(TaskState.Completed, e.State));
        // The same seeds, data and spec: without DP the runs are identical (the control below); with DP each
        // run draws its noise and Poisson masks from the OS CSPRNG, so the models differ. Were DP silently off,
        // this would fail.
        Assert.Single(first.Models.Values.Distinct());
        Assert.NotEqual(first.Models["site-0"], second.Models["site-0"]);
        var updates = first.Requests.OfType<UpdatePublished>().ToList();
        Assert.Equal(2 * Sites.Length, updates.Count(u => u.Privacy is not null));
        Assert.All(updates, u =>
        {
            var claim = u.Privacy!;
            Assert.Equal((Q, Sigma, Delta, 2L * u.Round), (claim.SamplingRate, claim.NoiseMultiplier, claim.Delta, claim.Steps));
            Assert.Equal(AccountantEpsilon(claim.Steps), claim.Epsilon);
        });
    }

    [Fact]
    public async Task Without_dp_two_runs_with_the_same_seed_end_on_the_same_model()
    {
        var first = await RunAsync(Spec(rounds: 2, PrivacyModes.None));
        var second = await RunAsync(Spec(rounds: 2, PrivacyModes.None));

        Assert.Equal(first.Models["site-0"], second.Models["site-0"]);
        Assert.All(first.Requests.OfType<UpdatePublished>(), u => Assert.Null(u.Privacy));
    }

    [Fact]
    public async Task A_budget_that_allows_two_rounds_ends_a_four_round_task_after_round_two_with_the_reason_on_the_chain()
    {
        // Round r brings a site to 2r steps: the budget lies between the ε of rounds 2 and 3.
        var budget = new PrivacyBudget((AccountantEpsilon(4) + AccountantEpsilon(6)) / 2, Delta);

        var run = await RunAsync(Spec(rounds: 4, PrivacyModes.Local), budgetOfSite1: budget);

        var refusal = Assert.Single(run.Requests.OfType<BudgetRefused>());
        Assert.Equal((3, "site-1"), (refusal.Round, refusal.Site));
        Assert.Equal(AccountantEpsilon(4), refusal.EpsilonSpent);
        Assert.Equal(AccountantEpsilon(6), refusal.EpsilonAfterRound);
        // The other sites do not know site-1's budget: their round-3 updates may reach the chain before the refusal
        // does, but site-1 publishes none and round 3 never becomes final.
        Assert.DoesNotContain(run.Requests.OfType<UpdatePublished>(), u => u.Site == "site-1" && u.Round == 3);
        Assert.DoesNotContain(run.Requests.OfType<UpdatePublished>(), u => u.Round > 3);
        Assert.DoesNotContain(run.Finalized, f => f.Round > 2);
        Assert.All(run.Ended.Values, e =>
        {
            Assert.Equal(TaskState.Cancelled, e.State);
            Assert.StartsWith("stopped after round 2 by site-1: privacy budget: round 3 would bring site 'site-1'", e.Detail, StringComparison.Ordinal);
        });
        // One model per round on every site. A site may end the task before it reports round 2's adoption (the
        // end and the adoption race inside the site), so the check is per round, not on each site's last report.
        Assert.All(run.Finalized.GroupBy(f => f.Round), round => Assert.Single(round.Select(f => f.Hash).Distinct()));
        Assert.Contains(run.Finalized, f => f.Round == 2);
    }

    [Fact]
    public async Task A_site_whose_trainer_ignores_the_dp_spec_publishes_no_update_and_the_task_ends_with_the_reason()
    {
        // The attack: a peer reads whatever update bytes reach it. A trainer that runs plain SGD under a DP spec
        // would hand it noiseless updates; the site checks the DP-SGD steps of each update before it lets it out.
        var run = await RunAsync(Spec(rounds: 2, PrivacyModes.Local), trainWithSpecPrivacy: false);

        Assert.Empty(run.Requests.OfType<UpdatePublished>());
        var cancel = run.Requests.OfType<CancellationRequest>().First();
        Assert.Contains("with 0 DP-SGD steps where its privacy plan needs 2", cancel.Reason, StringComparison.Ordinal);
        Assert.All(run.Ended.Values, e => Assert.Equal(TaskState.Cancelled, e.State));
        Assert.Empty(run.Models);
    }
}
