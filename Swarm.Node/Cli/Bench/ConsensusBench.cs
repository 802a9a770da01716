using System.CommandLine;
using System.Diagnostics;
using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;

namespace Swarm.Node.Cli.Bench;

/// <summary><c>swarm bench consensus</c>: committed requests per second and commit latency (p50, p99) of an
/// in-process PBFT cluster (n = 4 and n = 7) whose every message is signed and verified with Ed25519 at the
/// edge, against the same run with a no-op signature scheme as the baseline. One thread steps every replica (a
/// 2-core machine cannot give each its own core) while the envelopes of each delivery round are verified in
/// parallel, as an edge may; batching amortizes the replicas' signatures over many requests. Every request is
/// signed by the client (before the clock starts: that is the client's machine's work) and verified by every
/// replica, which block batching cannot amortize: n verifications per request on the bench's cores. A third row
/// has the client sign bundles of requests (<see cref="RequestBundle"/>): one signature per bundle, verified once
/// per replica, and a Merkle path per request.</summary>
public static class ConsensusBench
{
    public static Command Create()
    {
        var requests = new Option<int>("--requests") { Description = "Requests committed per run.", DefaultValueFactory = _ => 100_000 };
        var window = new Option<int>("--window") { Description = "Requests in flight (closed loop).", DefaultValueFactory = _ => 200 };
        var batch = new Option<int>("--batch") { Description = "BatchSizeMax: requests per block at most.", DefaultValueFactory = _ => 200 };
        var pipeline = new Option<int>("--pipeline") { Description = "PipelineBlocksMax: blocks in flight.", DefaultValueFactory = _ => 1 };
        var bundle = new Option<int>("--client-bundle")
        {
            Description = $"Requests the client signs at once in the bundled row (1..{RequestBundle.RequestsMax}).",
            DefaultValueFactory = _ => 64,
        };
        var sizes = new Option<int[]>("--n")
        {
            Description = "Cluster sizes to measure (each of the form 3f + 1).",
            DefaultValueFactory = _ => [4, 7],
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("consensus", "PBFT committed requests/s and commit latency, Ed25519 against no signatures.");
        command.Options.Add(sizes);
        command.Options.Add(requests);
        command.Options.Add(window);
        command.Options.Add(batch);
        command.Options.Add(pipeline);
        command.Options.Add(bundle);
        command.SetAction(parse => Run(parse.GetValue(requests), parse.GetValue(window), parse.GetValue(batch), parse.GetValue(pipeline),
            parse.GetValue(bundle), parse.GetValue(sizes)!));
        return command;
    }

    private enum Signing { PerRequest, Bundled, None }

    private static int Run(int requests, int window, int batch, int pipeline, int bundle, int[] sizes)
    {
        if (requests < 1 || window < 1 || pipeline < 1 || batch < 1 || batch > BlockCodec.RequestsMax || bundle < 1 || bundle > RequestBundle.RequestsMax
            || sizes.Length == 0 || sizes.Any(n => n < 4 || n > 64 || (n - 1) % 3 != 0))
        {
            Console.Error.WriteLine($"swarm bench consensus: --requests, --window and --pipeline must be ≥ 1, --batch within 1..{BlockCodec.RequestsMax}, " +
                $"--client-bundle within 1..{RequestBundle.RequestsMax}, --n sizes of the form 3f + 1 within 4..64");
            return ExitCodes.Usage;
        }
        Console.WriteLine($"swarm bench consensus: {requests} requests per run, {window} in flight, blocks of at most {batch}, {pipeline} blocks in flight, " +
            $"{Environment.ProcessorCount} cores: replicas step on one thread, envelopes are verified in parallel");
        Console.WriteLine($"{"n",3} {"signatures",-12} {"requests/s",12} {"p50 ms",8} {"p99 ms",8} {"blocks",7} {"req/block",9} {"CPU µs/req",10}");
        foreach (var n in sizes)
        {
            var results = new Dictionary<Signing, Result>();
            foreach (var signing in Enum.GetValues<Signing>())
            {
                Measure(n, signing, Math.Min(requests, 5_000), window, batch, pipeline, bundle);
                results[signing] = Measure(n, signing, requests, window, batch, pipeline, bundle);
                Print(n, signing switch { Signing.PerRequest => "Ed25519", Signing.Bundled => $"Ed25519/{bundle}", _ => "none" }, results[signing]);
            }
            var baseline = results[Signing.None].Throughput;
            Console.WriteLine($"    n={n}: throughput ratio to unsigned: per-request signatures {results[Signing.PerRequest].Throughput / baseline:F2}, " +
                $"bundles of {bundle} {results[Signing.Bundled].Throughput / baseline:F2}");
        }
        return ExitCodes.Ok;
    }

    private static void Print(int n, string scheme, Result r) =>
        Console.WriteLine($"{n,3} {scheme,-12} {r.Throughput,12:F0} {r.P50Ms,8:F2} {r.P99Ms,8:F2} {r.Blocks,7} {(double)r.Committed / r.Blocks,9:F1} {r.CpuMicrosPerRequest,10:F1}");

    /// <summary>One row. CpuMicrosPerRequest is the process's CPU time (every thread, user and system) per committed
    /// request: less disturbed than throughput when other work shares the machine.</summary>
    private sealed record Result(double Throughput, double P50Ms, double P99Ms, long Blocks, long Committed, double CpuMicrosPerRequest);

    private static Result Measure(int n, Signing signing, int requests, int window, int batch, int pipeline, int bundle)
    {
        var cluster = new Cluster(n, signing != Signing.None, batch, pipeline);
        // The client signs its requests on its own machine: that is not the cluster's work, so it happens before
        // the clock starts (on every core). Each replica's verification of every request is measured.
        var signedRequests = new ClientRequest[requests + 1];
        var bundles = signing == Signing.Bundled ? bundle : 1;
        Parallel.For(0, (requests + bundles - 1) / bundles, b =>
        {
            var first = 1 + b * bundles;
            var plain = Enumerable.Range(first, Math.Min(bundles, requests + 1 - first))
                .Select(id => new ClientRequest(Cluster.ClientId, id, BitConverter.GetBytes((long)id))).ToArray();
            var signedOnes = signing == Signing.Bundled
                ? RequestBundle.Sign(Cluster.ChainId, plain, bytes => cluster.Client.Sign(bytes))
                : plain.Select(r => r.SignedWith(Cluster.ChainId, bytes => cluster.Client.Sign(bytes))).ToArray();
            for (var i = 0; i < signedOnes.Count; i++)
            {
                signedRequests[first + i] = signedOnes[i];
            }
        });
        var submitted = new Dictionary<long, long>();
        var latencies = new List<double>(requests);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long next = 0;
        long blocks = 0;
        cluster.Hosts[0].Committed += c =>
        {
            blocks++;
            var now = clock.ElapsedTicks;
            foreach (var request in c.Block.Block.Requests)
            {
                if (submitted.Remove(request.RequestId, out var at))
                {
                    latencies.Add((now - at) * 1000.0 / Stopwatch.Frequency);
                }
            }
        };
        var lastTickMs = -1L;
        while (latencies.Count < requests)
        {
            while (submitted.Count < window && next < requests)
            {
                next++;
                submitted[next] = clock.ElapsedTicks;
                if (cluster.Hosts[0].Submit(signedRequests[next]) is { } problem)
                {
                    throw new InvalidOperationException("benchmark cluster refused a request: " + problem);
                }
            }
            var nowMs = clock.ElapsedMilliseconds;
            if (nowMs != lastTickMs || !cluster.HasMessages)
            {
                lastTickMs = nowMs;
                cluster.TickAll(nowMs);
            }
            cluster.DeliverAll();
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        latencies.Sort();
        return new Result(requests / seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), blocks, latencies.Count,
            cpu.TotalMicroseconds / requests);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    /// <summary>n replicas behind their real edges, connected by an in-memory FIFO.</summary>
    private sealed class Cluster : IReplicaTransport
    {
        private readonly Queue<(int To, SignedMessage Message)> _queue = new();

        public const string ChainId = "bench";
        public const string ClientId = "bench";

        public Cluster(int n, bool signed, int batch, int pipeline)
        {
            var signers = Enumerable.Range(0, n).Select(_ => signed ? (ISigner)Ed25519Signer.Generate() : new NoSignature()).ToArray();
            Client = signed ? Ed25519Signer.Generate() : new NoSignature();
            var clients = new ClientKeys([KeyValuePair.Create(ClientId, Client.PublicKey)]);
            ISignatureVerifier verifier = signed ? new Ed25519SignatureScheme() : new NoSignature();
            var parameters = new ChainParameters(batch, CheckpointIntervalBlocks: 16, WatermarkWindowBlocks: 64, ClockSkewMaxMs: 60_000, GenesisTimestampMs: 0);
            var genesis = new Genesis(ChainId, signers.Select((s, i) => new Member(i, s.PublicKey)).ToArray(), (n - 1) / 3, parameters);
            var options = new ReplicaOptions { RequestTimeoutTicks = 10_000, ViewChangeTimeoutTicks = 10_000, PipelineBlocksMax = pipeline };
            Hosts = Enumerable.Range(0, n)
                .Select(i => new ReplicaHost(new Replica(genesis, i, options), genesis.ChainId, signers[i], verifier, clients, new InMemoryReplicaLedger(), this))
                .ToArray();
        }

        public ReplicaHost[] Hosts { get; }

        /// <summary>The one client: it signs every request it submits, as a task site does.</summary>
        public ISigner Client { get; }

        public bool HasMessages => _queue.Count > 0;

        public void Send(int from, int to, SignedMessage message) => _queue.Enqueue((to, message));

        public void Broadcast(int from, SignedMessage message)
        {
            for (var i = 0; i < Hosts.Length; i++)
            {
                if (i != from)
                {
                    _queue.Enqueue((i, message));
                }
            }
        }

        public void TickAll(long nowMs)
        {
            foreach (var host in Hosts)
            {
                host.Tick(nowMs);
            }
        }

        /// <summary>Delivers in rounds: the queued messages are verified in parallel (the edge work, on every
        /// core), then stepped one by one in queue order; what they cause is delivered in the next round.</summary>
        public void DeliverAll()
        {
            while (_queue.Count > 0)
            {
                var round = _queue.ToArray();
                _queue.Clear();
                var verified = new VerifiedMessage?[round.Length];
                var reasons = new string?[round.Length];
                Parallel.For(0, round.Length, i =>
                {
                    var verdict = Hosts[round[i].To].Verify(round[i].Message, out verified[i]);
                    reasons[i] = verdict.Ok ? null : verdict.Reason;
                });
                for (var i = 0; i < round.Length; i++)
                {
                    if (verified[i] is not { } message)
                    {
                        throw new InvalidOperationException("benchmark cluster rejected a message: " + reasons[i]);
                    }
                    Hosts[round[i].To].Deliver(message);
                }
            }
        }
    }

    /// <summary>The baseline: empty signatures that always verify.</summary>
    private sealed class NoSignature : ISigner, ISignatureVerifier
    {
        public byte[] PublicKey { get; } = [1];

        public byte[] Sign(ReadOnlySpan<byte> message) => [];

        public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => true;
    }
}
