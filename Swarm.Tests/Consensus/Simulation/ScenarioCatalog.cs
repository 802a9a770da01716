using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Node.Persistence;

namespace Swarm.Tests.Consensus.Simulation;

/// <summary>The named scenario table of issue 4.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("normal", 4, 1) { HealAtMs = 0 },
        new("primary crash", 4, 1)
        {
            Faults = [new(300, "crash the primary of view 0", s => s.Crash(0))],
            HealAtMs = 2_000,
        },
        new("primary equivocation", 4, 1) { Byzantine = { [0] = ByzantineKind.Equivocate }, HealAtMs = 0 },
        new("1 of 4 silent", 4, 1) { Byzantine = { [2] = ByzantineKind.Silent }, HealAtMs = 0 },
        new("2% drop", 4, 1) { Faults = [new(0, "drop 2%", s => s.Network.DropProbability = 0.02)], HealAtMs = 3_000 },
        new("heavy duplication", 4, 1)
        {
            Faults = [new(0, "duplicate 50%", s => s.Network.DuplicateProbability = 0.5)],
            HealAtMs = 2_000,
        },
        new("reorder", 4, 1)
        {
            Faults = [new(0, "delay 1..60 ms", s => { s.Network.DelayMinMs = 1; s.Network.DelayMaxMs = 60; })],
            HealAtMs = 3_000,
        },
        new("partition 2|2 then heal", 4, 1)
        {
            Faults = [new(300, "partition {0,1} {2,3}", s => s.Network.Partition([0, 1], [2, 3]))],
            HealAtMs = 2_000,
        },
        new("restart of a replica from the store", 4, 1)
        {
            Faults =
            [
                new(150, "crash replica 2", s => s.Crash(2)),
                new(500, "restart replica 2 from its SQLite store", s => s.Restart(2)),
            ],
            HealAtMs = 600,
            TargetHeight = 12,
            SqliteStore = true,
            WorkloadIntervalMs = 25,
        },
        new("every replica crashes, then restarts from its store one by one", 4, 1)
        {
            Faults =
            [
                new(150, "crash every replica", s => { s.Crash(0); s.Crash(1); s.Crash(2); s.Crash(3); }),
                new(400, "restart replica 2 from its SQLite store", s => s.Restart(2)),
                new(700, "restart replica 0 from its SQLite store", s => s.Restart(0)),
                new(1_000, "restart replica 3 from its SQLite store", s => s.Restart(3)),
                new(1_300, "restart replica 1 from its SQLite store", s => s.Restart(1)),
            ],
            HealAtMs = 1_400,
            TargetHeight = 12,
            SqliteStore = true,
            WorkloadIntervalMs = 25,
        },
        new("replicas restart one by one, slower than the view-change timers", 4, 1)
        {
            // The first replica back is alone with waiting requests for seconds: it must not run ahead into views
            // the others never reach (it would stay out of the ordering for good).
            Faults =
            [
                new(150, "crash every replica", s => { s.Crash(0); s.Crash(1); s.Crash(2); s.Crash(3); }),
                new(400, "restart replica 1 from its SQLite store", s => s.Restart(1)),
                new(3_400, "restart replica 3 from its SQLite store", s => s.Restart(3)),
                new(6_400, "restart replica 0 from its SQLite store", s => s.Restart(0)),
                new(9_400, "restart replica 2 from its SQLite store", s => s.Restart(2)),
            ],
            HealAtMs = 9_500,
            TargetHeight = 12,
            SqliteStore = true,
            WorkloadIntervalMs = 25,
        },
        new("swizzle-clog", 4, 1) { Faults = [new(200, "swizzle-clog every 40 ms", s => s.SwizzleClog(40))], HealAtMs = 2_500 },
        new("forged signatures", 4, 1) { Byzantine = { [3] = ByzantineKind.Forger }, HealAtMs = 0, RealSignatures = true, TargetHeight = 8 },
        new("forged client requests", 4, 1)
        {
            Byzantine = { [3] = ByzantineKind.ForgeRequest },
            HealAtMs = 500,
            RealSignatures = true,
            TargetHeight = 8,
        },
        new("replay", 4, 1) { Byzantine = { [3] = ByzantineKind.Replayer }, HealAtMs = 1_000 },
        new("future-view flood", 4, 1) { Byzantine = { [1] = ByzantineKind.FutureFlood }, HealAtMs = 1_000 },
        new("wrong digest", 4, 1) { Byzantine = { [2] = ByzantineKind.WrongDigest }, HealAtMs = 0 },
        new("n=7 with 2 faulty", 7, 2)
        {
            Byzantine = { [0] = ByzantineKind.Equivocate, [4] = ByzantineKind.Silent },
            HealAtMs = 0,
        },
        new("membership change removes a replica", 5, 1)
        {
            Faults =
            [
                new(100, "commit the removal of replica 4", s =>
                    s.Submit(0, s.Approved(new MembershipChange(MembershipChangeKind.Remove, s.Genesis.Members[4]), 1))),
                new(120, "drop 2%", s => s.Network.DropProbability = 0.02),
            ],
            HealAtMs = 1_500,
        },
        new("primary crash with real Ed25519", 4, 1)
        {
            Faults = [new(300, "crash the primary of view 0", s => s.Crash(0))],
            HealAtMs = 1_500,
            RealSignatures = true,
            TargetHeight = 8,
        },
    ];

    /// <summary>Builds the simulation; scenarios marked <see cref="Scenario.SqliteStore"/> keep each replica's
    /// ledger in a real SQLite database in a temporary folder, so a restart reads what SQLite made durable.</summary>
    public static Simulation Create(Scenario scenario, ulong seed)
    {
        if (!scenario.SqliteStore)
        {
            return new Simulation(scenario, seed);
        }
        var folder = Path.Combine(Path.GetTempPath(), $"swarm-sim-{Environment.ProcessId}-{seed}-{Guid.NewGuid():N}");
        var stores = new List<SqliteLedgerStore>();
        var simulation = new Simulation(scenario, seed, (id, genesis) =>
        {
            var store = SqliteLedgerStore.Open(Path.Combine(folder, $"replica-{id}.db"), genesis.ChainId);
            stores.Add(store);
            return new LedgerStoreReplicaLedger(store, genesis);
        });
        simulation.OnDispose(() =>
        {
            stores.ForEach(s => s.Dispose());
            Directory.Delete(folder, recursive: true);
        });
        return simulation;
    }

    /// <summary>Checks that the scenario's fault really happened, so that a passing run is not a vacuous one.</summary>
    public static void CheckExpectations(Scenario scenario, Simulation simulation, string report)
    {
        CheckFaultsTookEffect(scenario, simulation, report);
        var nodes = simulation.Nodes;
        switch (scenario.Name)
        {
            case "forged signatures":
                Assert.True(nodes.Where(n => n.Honest).Sum(n => n.EdgeRejections) > 0, "forged messages were rejected at the edge");
                break;
            case "forged client requests":
                // The validity check of every commit (each executed request was submitted by its client) passed;
                // the forgeries were sent and refused: the renumbered or foreign-signed ones at the edge.
                Assert.True(nodes.Single(n => !n.Honest).Lies > 0, "the forger relayed forged requests");
                Assert.True(nodes.Where(n => n.Honest).Sum(n => n.EdgeRejections) > 0, "forged requests were refused at the edge\n" + report);
                break;
            case "primary equivocation":
            case "n=7 with 2 faulty":
                Assert.True(nodes.Where(n => n.Honest).Sum(n => n.CoreRejections) > 0
                    || nodes.Where(n => n.Honest).All(n => n.Status.View > 0), "the equivocation was noticed");
                break;
            case "primary crash":
            case "primary crash with real Ed25519":
                Assert.True(nodes.Where(n => n.Honest && n.Id != 0).All(n => n.Status.View >= 1), "a view change replaced the primary\n" + report);
                break;
            case "membership change removes a replica":
                Assert.All(nodes.Where(n => n.Up), n => Assert.Equal(4, n.Host!.Replica.Configuration.N));
                break;
            case "future-view flood":
                Assert.True(nodes.Where(n => n.Honest).Sum(n => n.CoreRejections) > 0, "the flood hit the per-peer bounds");
                break;
        }
    }

    /// <summary>What the simulation counted for each fault a scenario schedules, by the words of its description:
    /// a scenario whose fault never happened would pass vacuously.</summary>
    private static readonly (string Word, Func<Simulation, long> Count)[] FaultEffects =
    [
        ("partition", s => s.Network.PartitionBlocked),
        ("drop", s => s.Network.Dropped),
        ("duplicate", s => s.Network.Duplicated),
        ("delay", s => s.Network.Late),
        ("crash", s => s.Crashes),
        ("restart", s => s.Restarts),
        ("clog", s => s.HeldByClogs),
        ("commit the removal", s => s.Nodes[0].CommittedHashes.Count),
    ];

    /// <summary>The words of a fault description that <see cref="CheckFaultsTookEffect"/> knows.</summary>
    public static IEnumerable<string> EffectWords(ScheduledFault fault) =>
        FaultEffects.Where(e => fault.Description.Contains(e.Word, StringComparison.Ordinal)).Select(e => e.Word);

    /// <summary>Every scheduled fault and every Byzantine replica of the scenario must have acted: each fault's
    /// effect was counted (messages partitioned, dropped, duplicated, delayed, held by clogs; replicas crashed or
    /// restarted), each liar lied at least once, and a silent replica never ran.</summary>
    public static void CheckFaultsTookEffect(Scenario scenario, Simulation simulation, string report)
    {
        foreach (var fault in scenario.Faults)
        {
            var words = EffectWords(fault).ToList();
            Assert.True(words.Count > 0, $"{scenario.Name}: no effect check knows the fault '{fault.Description}'");
            foreach (var word in words)
            {
                var count = FaultEffects.Single(e => e.Word == word).Count(simulation);
                Assert.True(count > 0, $"{scenario.Name}: the fault '{fault.Description}' had no effect ({word}: 0)\n{report}");
            }
        }
        foreach (var node in simulation.Nodes.Where(n => !n.Honest))
        {
            if (node.Kind == ByzantineKind.Silent)
            {
                Assert.True(!node.Up && node.CommittedHashes.Count == 0, $"{scenario.Name}: silent replica {node.Id} ran");
            }
            else
            {
                Assert.True(node.Lies > 0, $"{scenario.Name}: Byzantine replica {node.Id} ({node.Kind}) never acted\n{report}");
            }
        }
    }
}
