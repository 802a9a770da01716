using System.CommandLine;
using System.Diagnostics;
using Swarm.Node.CrossChain;
using Swarm.Tasks.CrossChain;

namespace Swarm.Node.Cli.Bench;

/// <summary><c>swarm bench proof</c>: the time to verify a cross-chain proof offline, from a real source chain (four
/// PBFT replicas in process, Ed25519, the sites' real task requests) that ran <c>--rounds</c> rounds and granted an
/// export. Two cases: a first import (every block from genesis, the importer trusts nothing yet) and a later one
/// (only the blocks of the last round, the importer trusting the rest). The baseline, measured in the same run, is
/// one Ed25519 signature verification; the ratio says how many signature checks a proof costs.</summary>
public static class ProofBench
{
    public const double GoalMs = 50;

    public static Command Create()
    {
        var rounds = new Option<int>("--rounds") { Description = "Rounds the source task runs before the proof is built.", DefaultValueFactory = _ => 10 };
        var iterations = new Option<int>("--iterations") { Description = "Verifications timed per case.", DefaultValueFactory = _ => 50 };
        var command = new Command("proof", "Cross-chain proof verification time, against one Ed25519 signature check.");
        command.Options.Add(rounds);
        command.Options.Add(iterations);
        command.SetAction(parse => Run(parse.GetValue(rounds), parse.GetValue(iterations)));
        return command;
    }

    private static int Run(int rounds, int iterations)
    {
        if (rounds < 2 || rounds > 1_000 || iterations < 1)
        {
            Console.Error.WriteLine("swarm bench proof: --rounds must be within 2..1000 and --iterations at least 1");
            return ExitCodes.Usage;
        }
        const string importer = "task/bench-import/0000000000000000";
        using var chain = new InProcessTaskChain(InProcessTaskChain.SpecFor("bench-source", 4, rounds));
        chain.FinishRound(1);
        chain.Export("g", true, new ExportScope(importer, ExportScope.AnyModel, [ExportScope.AllLayers]), 0, 1, 2);
        var models = new List<string>();
        for (var r = 2; r <= rounds; r++)
        {
            models.Add(chain.FinishRound(r));
        }
        var ledger = chain.Ledger();
        var full = CrossChainProofBuilder.Build(chain.Genesis, chain.SpecBytes, ledger, models[^1], "g", chain.Verifier);
        // The importer trusts the chain up to the block that finalized the round before the last.
        var previousTarget = CrossChainProofBuilder.Build(chain.Genesis, chain.SpecBytes, ledger, models[^2], "g", chain.Verifier).TargetHeight;
        var previous = CrossChainProofBuilder.Build(chain.Genesis, chain.SpecBytes, ledger, models[^2], "g", chain.Verifier, toHeight: previousTarget);
        var later = CrossChainProofBuilder.Build(chain.Genesis, chain.SpecBytes, ledger, models[^1], "g", chain.Verifier,
            previousTarget + 1);
        var fullBytes = full.Encode();
        var laterBytes = later.Encode();
        Console.WriteLine($"swarm bench proof: source chain of 4 replicas, {rounds} rounds, {ledger.Count} blocks, " +
            $"{ledger.Sum(b => b.Block.Requests.Count)} requests; {iterations} verifications per case, {Environment.ProcessorCount} cores");

        var signature = SignatureBaseline(chain, iterations * 20);
        var first = Time(iterations, () =>
        {
            var proof = CrossChainProof.TryDecode(fullBytes, out _)!;
            return new TrustedSourceStore(chain.Verifier).Verify(proof, chain.Anchor, importer, ["features."]);
        });
        // One store per timed call (and the warm-up): each trusts the chain up to the previous round's block.
        var stores = Enumerable.Range(0, iterations + 1).Select(_ =>
        {
            var store = new TrustedSourceStore(chain.Verifier);
            Require(store.Verify(previous, chain.Anchor, importer, ["features."]));
            return store;
        }).ToArray();
        var index = 0;
        var incremental = Time(iterations, () =>
        {
            var proof = CrossChainProof.TryDecode(laterBytes, out _)!;
            return stores[index++].Verify(proof, chain.Anchor, importer, ["features."]);
        });

        Console.WriteLine($"{"case",-34} {"blocks",7} {"bytes",9} {"ms/proof",9} {"× 1 sig",8}");
        Console.WriteLine($"{"one Ed25519 signature (baseline)",-34} {"",7} {"",9} {signature,9:F4} {1.0,8:F1}");
        Console.WriteLine($"{"first import (from genesis)",-34} {full.Blocks.Count,7} {fullBytes.Length,9} {first,9:F3} {first / signature,8:F1}");
        Console.WriteLine($"{"later import (new blocks only)",-34} {later.Blocks.Count,7} {laterBytes.Length,9} {incremental,9:F3} {incremental / signature,8:F1}");
        Console.WriteLine($"goal ≤ {GoalMs} ms per proof: first import {(first <= GoalMs ? "met" : "NOT met")}, later import {(incremental <= GoalMs ? "met" : "NOT met")}");
        return ExitCodes.Ok;
    }

    /// <summary>Mean milliseconds per verification after one warm-up; every verification must accept.</summary>
    private static double Time(int iterations, Func<ImportVerdict> verify)
    {
        Require(verify());
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            Require(verify());
        }
        return clock.Elapsed.TotalMilliseconds / iterations;
    }

    private static void Require(ImportVerdict verdict)
    {
        if (!verdict.Ok)
        {
            throw new InvalidOperationException("benchmark proof refused: " + verdict.Reason);
        }
    }

    private static double SignatureBaseline(InProcessTaskChain chain, int count)
    {
        var message = new byte[96];
        var signature = chain.SignAs(0, message);
        var key = chain.Genesis.Members[0].PublicKey;
        var ok = true;
        for (var i = 0; i < 100; i++)
        {
            ok &= chain.Verifier.Verify(key, message, signature);
        }
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            ok &= chain.Verifier.Verify(key, message, signature);
        }
        var ms = clock.Elapsed.TotalMilliseconds / count;
        return ok ? ms : throw new InvalidOperationException("the baseline signature did not verify");
    }
}
