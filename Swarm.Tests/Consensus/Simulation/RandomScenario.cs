using Swarm.Consensus.Blocks;

namespace Swarm.Tests.Consensus.Simulation;

/// <summary>Draws a fault schedule from a seed for the randomized sweep: network faults (drop, delay and
/// reordering, duplication, a partition, swizzle-clogging), any number of crash-restarts of any replica (Byzantine
/// ones included), crashes between the outputs of one step, clock skew between replicas, up to f Byzantine
/// replicas of random kinds (lying in view changes, new views and checkpoints too), and sometimes a committed
/// membership change that removes a replica. Faults stop at the heal; then liveness is required.</summary>
public static class RandomScenario
{
    private static readonly ByzantineKind[] Kinds =
    [
        ByzantineKind.Silent, ByzantineKind.Equivocate, ByzantineKind.WrongDigest,
        ByzantineKind.Forger, ByzantineKind.Replayer, ByzantineKind.FutureFlood,
        ByzantineKind.OmitPrepared, ByzantineKind.InventPrepared, ByzantineKind.WrongNewView, ByzantineKind.ForgeCheckpoint,
        ByzantineKind.ForgeRequest,
    ];

    public static Scenario Draw(int n, ulong seed)
    {
        var random = new SimRandom(seed * 0x9E3779B97F4A7C15UL + (ulong)n);
        var f = (n - 1) / 3;
        var heal = random.Range(300, 900);
        var byzantine = new Dictionary<int, ByzantineKind>();
        var byzantineCount = random.Next(f + 1);
        while (byzantine.Count < byzantineCount)
        {
            byzantine[random.Next(n)] = Kinds[random.Next(Kinds.Length)];
        }
        var faults = new List<ScheduledFault>();
        var description = new List<string>();
        if (random.Chance(0.5))
        {
            var drop = random.NextDouble() * 0.05;
            faults.Add(new(0, $"drop {drop:P1}", s => s.Network.DropProbability = drop));
            description.Add($"drop {drop:P1}");
        }
        if (random.Chance(0.3))
        {
            var duplicate = random.NextDouble() * 0.3;
            faults.Add(new(0, $"duplicate {duplicate:P0}", s => s.Network.DuplicateProbability = duplicate));
            description.Add($"duplicate {duplicate:P0}");
        }
        var delayMax = random.Range(2, 40);
        faults.Add(new(0, $"delay 1..{delayMax} ms", s => s.Network.DelayMaxMs = delayMax));
        description.Add($"delay 1..{delayMax}");
        if (random.Chance(0.3))
        {
            var at = random.Range(50, heal - 50);
            var side = Enumerable.Range(0, n).Where(_ => random.Chance(0.5)).ToArray();
            var other = Enumerable.Range(0, n).Except(side).ToArray();
            faults.Add(new(at, "partition", s => s.Network.Partition(side, other)));
            description.Add($"partition {{{string.Join(',', side)}}}|{{{string.Join(',', other)}}} at {at}");
        }
        var honest = Enumerable.Range(0, n).Where(i => !byzantine.ContainsKey(i)).ToArray();
        var restartable = Enumerable.Range(0, n).Where(i => byzantine.GetValueOrDefault(i) != ByzantineKind.Silent).ToArray();
        var crashes = random.Chance(0.5) ? 1 + random.Next(4) : 0;
        for (var c = 0; c < crashes; c++)
        {
            var victim = restartable[random.Next(restartable.Length)];
            var at = random.Range(50, heal - 50);
            var back = random.Range(at + 10, heal + 200);
            if (random.Chance(0.5))
            {
                // Crash between two outputs of one step: after 0..3 more messages left it.
                var sends = random.Next(4);
                faults.Add(new(at, $"crash {victim} mid-step", s => s.CrashMidStep(victim, sends)));
                description.Add($"crash {victim} after {sends} sends from {at}, restart {back}");
            }
            else
            {
                faults.Add(new(at, $"crash {victim}", s => s.Crash(victim)));
                description.Add($"crash-restart {victim} {at}..{back}");
            }
            faults.Add(new(back, $"restart {victim}", s => s.Restart(victim)));
        }
        if (random.Chance(0.3))
        {
            // Clock skew: each replica's clock off by up to a third of ClockSkewMaxMs, so two differ by less than it.
            var bound = Simulation.SimParameters.ClockSkewMaxMs / 3;
            var offsets = Enumerable.Range(0, n).Select(_ => random.Range(-bound, bound)).ToArray();
            faults.Add(new(0, "clock skew", s =>
            {
                for (var i = 0; i < n; i++)
                {
                    s.Nodes[i].ClockOffsetMs = offsets[i];
                }
            }));
            description.Add($"clock skew {string.Join(',', offsets)}");
        }
        if (random.Chance(0.2))
        {
            var at = random.Range(0, heal / 2);
            var step = random.Range(5, 30);
            faults.Add(new(at, "swizzle-clog", s => s.SwizzleClog(step)));
            description.Add($"swizzle-clog from {at} every {step}");
        }
        if (random.Chance(0.2) && (byzantine.Count > 0 || n > 4))
        {
            // Reconfiguration under faults: evict a Byzantine replica, or an honest one where f stays the same.
            var removed = byzantine.Count > 0 ? byzantine.Keys.Min() : honest[random.Next(honest.Length)];
            var at = random.Range(20, heal);
            faults.Add(new(at, $"remove {removed}", s =>
            {
                if (s.Nodes.FirstOrDefault(node => node.Honest && node.Up && node.Id != removed) is { } submitter)
                {
                    s.Submit(submitter.Id, s.Approved(new MembershipChange(MembershipChangeKind.Remove, s.Genesis.Members[removed]), 1));
                }
            }));
            description.Add($"remove member {removed} at {at}");
        }
        description.AddRange(byzantine.Select(b => $"{b.Value} {b.Key}"));
        return new Scenario($"sweep n={n} [{string.Join("; ", description)}]", n, f)
        {
            Byzantine = byzantine,
            Faults = faults,
            HealAtMs = heal,
            TargetHeight = 6,
            WorkloadIntervalMs = 15,
        };
    }
}
