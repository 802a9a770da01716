using Swarm.Tasks;

namespace Swarm.Tests.Tasks.Simulation;

/// <summary>One drawn fault schedule for the task simulator: the swarm's size and quorum, the network's loss and
/// delay, which sites lie and how, and which crash and restart (at most f sites faulty in all).</summary>
public sealed record TaskSimScenario(int N, int F, int Quorum, int Rounds, double LossRate, long DelayMaxMs,
    IReadOnlyDictionary<int, TaskLie> Liars, IReadOnlyList<TaskCrash> Crashes)
{
    public const long RoundDeadlineMs = 2_000;

    /// <summary>Run the rounds under secure aggregation (masked updates, chain-fixed phases).</summary>
    public bool SecureAggregation { get; init; }

    /// <summary>Run the rounds under additive secret sharing (sealed shares, partial sums; quorum n).</summary>
    public bool SecretSharing { get; init; }

    /// <summary>The chain fixes the sample counts the sites declared at consent (every site starts with all the
    /// declarations, as a node's start carries them) instead of each site's first update.</summary>
    public bool DeclaredSamples { get; init; }

    /// <summary>A seeded draw with sample counts declared at consent, whose liars also lie about their weight.</summary>
    public static TaskSimScenario DrawDeclared(int n, ulong seed)
    {
        var drawn = Draw(n, seed);
        var random = new Consensus.Simulation.SimRandom(seed ^ 0x5A11_0000UL);
        return drawn with
        {
            DeclaredSamples = true,
            Liars = drawn.Liars.ToDictionary(l => l.Key, l => l.Value | TaskLie.InflatedSamples | (random.Chance(0.5) ? TaskLie.RedeclaredSamples : TaskLie.None)),
        };
    }

    /// <summary>Under secure aggregation or secret sharing: sites that go down for good at a given step of round 1.</summary>
    public IReadOnlyDictionary<int, SecAggDrop> SecAggDrops { get; init; } = new Dictionary<int, SecAggDrop>();

    /// <summary>The task's privacy mode; under <c>dopamine</c> every site has <see cref="DopamineSamples"/> samples and
    /// its fake update carries Gaussian noise of standard deviation σC/√m (<see cref="DopamineTerms"/>).</summary>
    public string PrivacyMode { get; init; } = PrivacyModes.None;

    /// <summary>Under Dopamine: every site's training samples (q = batch / this).</summary>
    public const long DopamineSamples = 100;

    /// <summary>Under Dopamine: each site's expected batch, so q = 0.1.</summary>
    public const int DopamineBatch = 10;

    /// <summary>Parameters of the fake model.</summary>
    public int ModelLength { get; init; } = 32;
    public const long RetryMs = 1_000;

    /// <summary>The simulated time every honest site must have completed by when liveness is expected.</summary>
    public const long LivenessBoundMs = 60_000;

    public override string ToString() =>
        $"n={N} f={F} quorum {Quorum} rounds {Rounds} loss {LossRate:0.##} delay ≤{DelayMaxMs} ms; liars: " +
        (Liars.Count == 0 ? "none" : string.Join(", ", Liars.Select(l => $"site-{l.Key}={l.Value}"))) + "; crashes: " +
        (Crashes.Count == 0 ? "none" : string.Join(", ", Crashes.Select(c => c.ToString())));

    /// <summary>A seeded draw: up to f faulty sites, each either a liar or a crash (with or without a restart).</summary>
    public static TaskSimScenario Draw(int n, ulong seed)
    {
        var random = new Consensus.Simulation.SimRandom(seed);
        var f = (n - 1) / 3;
        var quorum = random.Chance(0.5) ? n : n - f;
        var loss = random.Next(3) switch { 0 => 0.0, 1 => 0.1, _ => 0.3 };
        var delay = random.Range(1, 200);
        var faulty = Enumerable.Range(0, n).OrderBy(_ => random.NextUInt64()).Take(random.Next(f + 1)).ToList();
        var liars = new Dictionary<int, TaskLie>();
        var crashes = new List<TaskCrash>();
        foreach (var site in faulty)
        {
            if (random.Chance(0.5))
            {
                liars[site] = DrawLies(random);
            }
            else
            {
                var at = random.Range(0, 8_000);
                crashes.Add(new TaskCrash(site, at, random.Chance(0.8) ? at + random.Range(100, 6_000) : null));
            }
        }
        return new TaskSimScenario(n, f, quorum, 3, loss, delay, liars, crashes);
    }

    private static TaskLie DrawLies(Consensus.Simulation.SimRandom random)
    {
        var lies = TaskLie.None;
        foreach (var lie in new[] { TaskLie.AggregateHash, TaskLie.BlobBytes, TaskLie.PoisonedUpdate, TaskLie.EarlyClose, TaskLie.ScoresAndImpersonation })
        {
            if (random.Chance(0.4))
            {
                lies |= lie;
            }
        }
        if (random.Chance(0.1))
        {
            lies |= TaskLie.WithheldUpdate;
        }
        return lies == TaskLie.None ? TaskLie.AggregateHash : lies;
    }
}

/// <summary>Site <paramref name="Site"/> crashes at <paramref name="AtMs"/> (losing what it had in flight, keeping its
/// ledger and blobs) and restarts at <paramref name="RestartAtMs"/>, or never.</summary>
public sealed record TaskCrash(int Site, long AtMs, long? RestartAtMs)
{
    public override string ToString() => $"site-{Site} down at {AtMs} ms" + (RestartAtMs is { } up ? $", up at {up} ms" : ", for good");
}

/// <summary>When a site drops out of secure aggregation for good: right after it dealt its shares (so it sends no
/// masked update), or right after it published its masked update (so it sends no unmask response; under secret
/// sharing: its dealt shares, so it never publishes its partial sum).</summary>
public enum SecAggDrop
{
    /// <summary>Not used as a drop: what a site without one reads.</summary>
    None,

    AfterShares,

    /// <summary>Under secret sharing: right after it published its session key (so it never deals its shares).</summary>
    AfterKeys,
    AfterMasking,

    /// <summary>In a plain round: right after it stored its update and before it offered it to anyone, while its
    /// <c>UpdatePublished</c> is on its way to the chain (so no one ever gets the bytes the chain names).</summary>
    BeforeOffering,
}
