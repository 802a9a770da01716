using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Swarm.Node.Blobs;
using Swarm.Node.Identity;
using Swarm.Node.Networking;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Cli.Bench;

/// <summary><c>swarm bench transport</c>: blob throughput and small-message round trips between two mutual-TLS
/// transports on loopback, each against a plain TCP baseline measured in the same run (file to socket to file for
/// throughput, 64-byte ping-pong for latency).</summary>
public static class TransportBench
{
    private const int Seed = 42;

    public static Command Create()
    {
        var command = new Command("transport", "Loopback blob throughput (MB/s) and round-trip latency between two mTLS transports.");
        var blobMb = new Option<int>("--blob-mb") { Description = "Size of the blob to transfer, in MiB.", DefaultValueFactory = _ => 512 };
        var roundTrips = new Option<int>("--round-trips") { Description = "Small-message round trips to time.", DefaultValueFactory = _ => 5000 };
        var turnsOption = new Option<int>("--turns") { Description = "Alternating turns of the raw copy and the blob transfer (the median is reported).", DefaultValueFactory = _ => 3 };
        var warmMb = new Option<int>("--warm-mb") { Description = "Size of the warm-up blob transferred first, in MiB (lets the JIT reach tier-1 code).", DefaultValueFactory = _ => 1024 };
        var chunkKb = new Option<int>("--chunk-kb") { Description = "Blob chunk size in KiB (BlobTransferOptions.ChunkBytes; default: its default).", DefaultValueFactory = _ => new BlobTransferOptions().ChunkBytes / 1024 };
        var dir = new Option<string?>("--dir") { Description = "Where to put the scratch directory (default: the temp directory); it is deleted after." };
        command.Options.Add(blobMb);
        command.Options.Add(roundTrips);
        command.Options.Add(warmMb);
        command.Options.Add(turnsOption);
        command.Options.Add(chunkKb);
        command.Options.Add(dir);
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(blobMb) < 1 || parse.GetValue(warmMb) < 1 || parse.GetValue(roundTrips) < 1 || parse.GetValue(turnsOption) < 1
                || parse.GetValue(chunkKb) is < 1 or > 2048)
            {
                Console.Error.WriteLine("swarm bench transport: --blob-mb, --warm-mb, --round-trips and --turns must be >= 1, --chunk-kb in 1..2048");
                return ExitCodes.Usage;
            }
            // Always a fresh directory of our own (inside --dir when given), so deleting it afterwards is safe.
            var parent = parse.GetValue(dir);
            var scratch = parent is null
                ? Directory.CreateTempSubdirectory("swarm-bench-").FullName
                : Directory.CreateDirectory(Path.Combine(parent, $"swarm-bench-{Guid.NewGuid():N}")).FullName;
            try
            {
                await RunAsync(scratch, parse.GetValue(blobMb) * 1024L * 1024, parse.GetValue(warmMb) * 1024L * 1024, parse.GetValue(chunkKb) * 1024, parse.GetValue(roundTrips), parse.GetValue(turnsOption), ct).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        });
        return command;
    }

    private static async Task RunAsync(string scratch, long blobBytes, long warmBytes, int chunkBytes, int roundTrips, int turns, CancellationToken ct)
    {
        Console.WriteLine($"swarm bench transport: blob {blobBytes / (1024 * 1024)} MiB after a {warmBytes / (1024 * 1024)} MiB warm-up, {chunkBytes / 1024} KiB chunks, {roundTrips} round trips, {Environment.ProcessorCount} cores, scratch {scratch} ({FileSystemOf(scratch)})");
        using var a = NodeIdentity.Create("bench-a", 1);
        using var b = NodeIdentity.Create("bench-b", 1);
        var echo = new EchoHandler();
        var pings = new PingHandler();
        var routerA = new PayloadRouter().Route(Envelope.PayloadOneofCase.Actor, pings);
        var routerB = new PayloadRouter().Route(Envelope.PayloadOneofCase.Actor, echo);
        var storeA = new BlobStore(Path.Combine(scratch, "a"));
        var storeB = new BlobStore(Path.Combine(scratch, "b"));
        var blobOptions = new BlobTransferOptions { ChunkBytes = chunkBytes };
        await using var blobsA = new BlobTransfer(storeA, blobOptions);
        await using var blobsB = new BlobTransfer(storeB, blobOptions);
        blobsA.RouteOn(routerA);
        blobsB.RouteOn(routerB);
        var consortium = new Consortium("bench", [a.ToMember("127.0.0.1:1"), b.ToMember("127.0.0.1:1")]);
        await using var ta = new PeerTransport(a, consortium, new TransportOptions(), routerA);
        await using var tb = new PeerTransport(b, consortium, new TransportOptions(), routerB);
        ta.Start(new IPEndPoint(IPAddress.Loopback, 0));
        tb.Start(new IPEndPoint(IPAddress.Loopback, 0));
        consortium = consortium with
        {
            Members = [a.ToMember($"127.0.0.1:{ta.LocalEndpoint!.Port}"), b.ToMember($"127.0.0.1:{tb.LocalEndpoint!.Port}")],
        };
        ta.Consortium = tb.Consortium = consortium;
        echo.Transport = tb;
        blobsA.Attach(ta);
        blobsB.Attach(tb);

        // Warm-up: long enough for the hot paths to reach tier-1 code, so that JIT work (over 10 % of the CPU after a
        // 64 MiB warm-up) stays out of the measured transfers; a node runs for days.
        var warm = await storeA.PutAsync(new SeededBytes(Seed + 1, warmBytes), ct).ConfigureAwait(false);
        await blobsB.FetchAsync("bench-a", warm, ct).ConfigureAwait(false);
        storeA.Quarantine(warm);
        storeB.Quarantine(warm);

        // Turns: the raw copy and the blob transfer alternate, each turn on a fresh blob whose files are removed
        // after it, so neither always runs behind the other's disk write-back; the median of each is reported.
        var gib = blobBytes / (1024.0 * 1024 * 1024);
        var baseline = new List<(double Mbs, double Cpu)>();
        var blob = new List<(double Mbs, double Cpu)>();
        for (var turn = 0; turn < turns; turn++)
        {
            var hash = await storeA.PutAsync(new SeededBytes(Seed + 10 + turn, blobBytes), ct).ConfigureAwait(false);
            var copy = Path.Combine(scratch, "baseline.bin");
            var cpu = CpuSeconds();
            var baselineMbs = await RawTcpFileCopyAsync(storeA.PathOf(hash), copy, ct).ConfigureAwait(false);
            baseline.Add((baselineMbs, (CpuSeconds() - cpu) / gib));
            File.Delete(copy);
            cpu = CpuSeconds();
            var watch = Stopwatch.StartNew();
            var result = await blobsB.FetchAsync("bench-a", hash, ct).ConfigureAwait(false);
            blob.Add((blobBytes / (1024.0 * 1024) / watch.Elapsed.TotalSeconds, (CpuSeconds() - cpu) / gib));
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(result.Error);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  turn {turn + 1}: raw TCP {baseline[^1].Mbs:F1} MB/s, blob over mTLS {blob[^1].Mbs:F1} MB/s ({blob[^1].Cpu:F2} cpu s/GiB)"));
            storeA.Quarantine(hash);
            storeB.Quarantine(hash);
        }
        var (baseMbs, baseCpu) = Median(baseline);
        var (blobMbs, blobCpu) = Median(blob);
        // CPU seconds per GiB (both ends, all threads) is the load-independent cost; MB/s depends on what else runs.
        Console.WriteLine(Line("raw TCP file copy (baseline)", baseMbs, "MB/s") + string.Create(CultureInfo.InvariantCulture, $"   cpu {baseCpu:F2} s/GiB   (median of {turns})"));
        Console.WriteLine(Line("blob transfer over mTLS, verified", blobMbs, "MB/s") + string.Create(CultureInfo.InvariantCulture, $"   cpu {blobCpu:F2} s/GiB")
            + string.Create(CultureInfo.InvariantCulture, $"   ratio {blobMbs / baseMbs:F2} of baseline MB/s, {blobCpu / baseCpu:F1}x its cpu (goal >= 300 MB/s; median of {turns})"));

        var tcp = await RawTcpPingPongAsync(roundTrips, ct).ConfigureAwait(false);
        var swarm = await TransportPingPongAsync(ta, pings, roundTrips, ct).ConfigureAwait(false);
        Console.WriteLine(Line("raw TCP 64 B round trip p50 (baseline)", tcp.P50, "us") + string.Create(CultureInfo.InvariantCulture, $"   p99 {tcp.P99:F1} us"));
        Console.WriteLine(Line("signed envelope round trip p50", swarm.P50, "us") + string.Create(CultureInfo.InvariantCulture, $"   p99 {swarm.P99:F1} us")
            + $"   ratio p50 {swarm.P50 / tcp.P50:F1}x, p99 {swarm.P99 / tcp.P99:F1}x of baseline");
    }

    /// <summary>The file system the scratch directory is on (e.g. ext4 or tmpfs): the disk case and the tmpfs case
    /// differ by the kernel's write path, so the output says which one it measured.</summary>
    private static string FileSystemOf(string path)
    {
        try
        {
            return new DriveInfo(path).DriveFormat;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return "file system unknown";
        }
    }

    private static string Line(string label, double value, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{label,-42} {value,8:F1} {unit}");

    private static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private static (double Mbs, double Cpu) Median(List<(double Mbs, double Cpu)> turns)
    {
        var byRate = turns.OrderBy(t => t.Mbs).ToList();
        return byRate[byRate.Count / 2];
    }

    private static async Task<double> RawTcpFileCopyAsync(string source, string target, CancellationToken ct)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var receive = Task.Run(async () =>
        {
            using var server = await listener.AcceptTcpClientAsync(ct).ConfigureAwait(false);
            await using var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
            await server.GetStream().CopyToAsync(file, 1024 * 1024, ct).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }, ct);
        var watch = Stopwatch.StartNew();
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, ct).ConfigureAwait(false);
            await using var file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await file.CopyToAsync(client.GetStream(), 1024 * 1024, ct).ConfigureAwait(false);
            client.Client.Shutdown(SocketShutdown.Send);
            await receive.ConfigureAwait(false);
        }
        var mbs = new FileInfo(source).Length / (1024.0 * 1024) / watch.Elapsed.TotalSeconds;
        File.Delete(target);
        return mbs;
    }

    private static async Task<(double P50, double P99)> RawTcpPingPongAsync(int roundTrips, CancellationToken ct)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var echo = Task.Run(async () =>
        {
            using var server = await listener.AcceptTcpClientAsync(ct).ConfigureAwait(false);
            server.NoDelay = true;
            var stream = server.GetStream();
            var buffer = new byte[64];
            while (true)
            {
                try
                {
                    await stream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
                }
                catch (EndOfStreamException)
                {
                    return;
                }
                await stream.WriteAsync(buffer, ct).ConfigureAwait(false);
            }
        }, ct);
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, ct).ConfigureAwait(false);
        var stream = client.GetStream();
        var message = new byte[64];
        var samples = await TimeAsync(roundTrips, async () =>
        {
            await stream.WriteAsync(message, ct).ConfigureAwait(false);
            await stream.ReadExactlyAsync(message, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        client.Client.Shutdown(SocketShutdown.Send);
        await echo.ConfigureAwait(false);
        return samples;
    }

    private static Task<(double P50, double P99)> TransportPingPongAsync(PeerTransport from, PingHandler pings, int roundTrips, CancellationToken ct)
    {
        var body = ByteString.CopyFrom(new byte[64]);
        return TimeAsync(roundTrips, async () =>
        {
            var reply = pings.Expect();
            await from.SendAsync("bench-b", new Envelope { ToActorPath = "/user/echo", Actor = new ActorMessage { TypeUrl = "bench/ping", Body = body } }, ct).ConfigureAwait(false);
            await reply.WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        });
    }

    private static async Task<(double P50, double P99)> TimeAsync(int count, Func<Task> roundTrip)
    {
        for (var i = 0; i < Math.Min(500, count); i++)
        {
            await roundTrip().ConfigureAwait(false);
        }
        var micros = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await roundTrip().ConfigureAwait(false);
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(micros);
        return (micros[count / 2], micros[Math.Min(count - 1, (int)(count * 0.99))]);
    }

    /// <summary>Answers every ping with a pong on the transport (the envelope is signed both ways).</summary>
    private sealed class EchoHandler : IEnvelopeHandler
    {
        public PeerTransport? Transport { get; set; }

        public ValueTask HandleAsync(string fromNodeId, Envelope envelope, CancellationToken cancellationToken) =>
            Transport!.SendAsync(fromNodeId, new Envelope { ToActorPath = "/user/ping", Actor = new ActorMessage { TypeUrl = "bench/pong", Body = envelope.Actor.Body } }, cancellationToken);
    }

    /// <summary>Completes the pending round trip when its pong arrives.</summary>
    private sealed class PingHandler : IEnvelopeHandler
    {
        private TaskCompletionSource _pending = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Expect()
        {
            _pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _pending.Task;
        }

        public ValueTask HandleAsync(string fromNodeId, Envelope envelope, CancellationToken cancellationToken)
        {
            _pending.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }
}
