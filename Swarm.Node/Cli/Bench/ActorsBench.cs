using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Akka.Actor;
using Swarm.Actors.Platform;

namespace Swarm.Node.Cli.Bench;

/// <summary>
/// <c>swarm bench actors</c>: message throughput of the node's actors on Akka.NET (default dispatcher, unbounded
/// mailboxes). Ping-pong: one pair of actors bouncing
/// <c>--in-flight</c> messages (as Akka's ping-pong benchmark keeps several balls in play); fan-out: one sender
/// telling 1000 actors round-robin with credit-based flow control so that no message is dropped. The baseline,
/// measured in the same run, is the same ping-pong between two tasks over raw System.Threading.Channels.
/// </summary>
public static class ActorsBench
{
    private const int FanOutActors = 1000;
    private const int FanOutCreditPerActor = 64;
    private const int CounterStride = 16; // one counter per 128-byte line: no false sharing between actors

    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds per case.", DefaultValueFactory = _ => 3 };
        var warmup = new Option<double>("--warmup") { Description = "Warm-up seconds per case.", DefaultValueFactory = _ => 1 };
        var inFlight = new Option<int>("--in-flight") { Description = "Messages kept in flight in ping-pong.", DefaultValueFactory = _ => 200 };
        var command = new Command("actors", "Actor runtime throughput: ping-pong pair and 1→1000 fan-out, vs raw channels.");
        command.Options.Add(seconds);
        command.Options.Add(warmup);
        command.Options.Add(inFlight);
        command.SetAction(async (parse, ct) =>
        {
            var measure = TimeSpan.FromSeconds(parse.GetValue(seconds));
            var warm = TimeSpan.FromSeconds(parse.GetValue(warmup));
            var balls = parse.GetValue(inFlight);
            if (measure <= TimeSpan.Zero || warm < TimeSpan.Zero || balls < 1 || balls > 900)
            {
                Console.Error.WriteLine("swarm bench actors: --seconds must be > 0, --warmup >= 0, --in-flight in 1..900");
                return ExitCodes.Usage;
            }
            await RunAsync(measure, warm, balls, ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task RunAsync(TimeSpan measure, TimeSpan warmup, int balls, CancellationToken ct)
    {
        Console.WriteLine($"swarm bench actors: {Environment.ProcessorCount} cores, {measure.TotalSeconds:0.#} s measured after {warmup.TotalSeconds:0.#} s warm-up, {balls} messages in flight in ping-pong");
        var channels = await ChannelPingPongAsync(measure, warmup, balls, ct).ConfigureAwait(false);
        Report("baseline: raw channels ping-pong (2 tasks)", channels, null);
        var pingPong = await ActorPingPongAsync(measure, warmup, balls, ct).ConfigureAwait(false);
        Report("actors: ping-pong (1 pair)", pingPong, channels);
        var fanOut = await ActorFanOutAsync(measure, warmup, ct).ConfigureAwait(false);
        Report($"actors: fan-out 1 → {FanOutActors}", fanOut, channels);
    }

    private static void Report(string name, double perSecond, double? baseline)
    {
        var ratio = baseline is { } b ? $"   ratio to baseline {perSecond / b:0.00}" : string.Empty;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-46} {perSecond / 1e6,8:0.000} M msg/s{ratio}"));
    }

    /// <summary>Counts sampled at the end of the warm-up and of the measurement give messages per second.</summary>
    private static async Task<double> MeasureAsync(Func<long> delivered, TimeSpan measure, TimeSpan warmup, CancellationToken ct)
    {
        await Task.Delay(warmup, ct).ConfigureAwait(false);
        var start = delivered();
        var clock = Stopwatch.StartNew();
        await Task.Delay(measure, ct).ConfigureAwait(false);
        var end = delivered();
        return (end - start) / clock.Elapsed.TotalSeconds;
    }

    private static long Sum(long[] counters)
    {
        long total = 0;
        for (var i = 0; i < counters.Length; i += CounterStride)
        {
            total += Volatile.Read(ref counters[i]);
        }
        return total;
    }

    private static async Task<double> ChannelPingPongAsync(TimeSpan measure, TimeSpan warmup, int balls, CancellationToken ct)
    {
        var counters = new long[2 * CounterStride];
        var stop = new CancellationTokenSource();
        var toA = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
        var toB = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
        var ball = new object();
        for (var i = 0; i < balls; i++)
        {
            toA.Writer.TryWrite(ball);
        }
        var a = Task.Run(() => BounceAsync(toA.Reader, toB.Writer, counters, 0, stop.Token), CancellationToken.None);
        var b = Task.Run(() => BounceAsync(toB.Reader, toA.Writer, counters, CounterStride, stop.Token), CancellationToken.None);
        var rate = await MeasureAsync(() => Sum(counters), measure, warmup, ct).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        toA.Writer.TryComplete();
        toB.Writer.TryComplete();
        await Task.WhenAll(a, b).ConfigureAwait(false);
        return rate;
    }

    private static async Task BounceAsync(ChannelReader<object> reader, ChannelWriter<object> writer, long[] counters, int slot, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (reader.TryRead(out var message))
            {
                counters[slot]++;
                writer.TryWrite(message);
            }
        }
    }

    private static async Task<double> ActorPingPongAsync(TimeSpan measure, TimeSpan warmup, int balls, CancellationToken ct)
    {
        using var system = SwarmActorSystem.Create("bench");
        var counters = new long[2 * CounterStride];
        var running = new StrongBox<bool>(true);
        var a = system.ActorOf(Props.Create(() => new Bouncer(counters, 0, running)), "a");
        var b = system.ActorOf(Props.Create(() => new Bouncer(counters, CounterStride, running)), "b");
        var ball = new object();
        for (var i = 0; i < balls; i++)
        {
            a.Tell(ball, b);
        }
        var rate = await MeasureAsync(() => Sum(counters), measure, warmup, ct).ConfigureAwait(false);
        Volatile.Write(ref running.Value, false);
        await system.Terminate().ConfigureAwait(false);
        return rate;
    }

    private static async Task<double> ActorFanOutAsync(TimeSpan measure, TimeSpan warmup, CancellationToken ct)
    {
        using var system = SwarmActorSystem.Create("bench");
        var counters = new long[FanOutActors * CounterStride];
        var running = new StrongBox<bool>(true);
        var targets = new IActorRef[FanOutActors];
        for (var i = 0; i < FanOutActors; i++)
        {
            var slot = i * CounterStride;
            targets[i] = system.ActorOf(Props.Create(() => new Bouncer(counters, slot, running)), $"t{i}");
        }
        var sender = new Thread(() => FanOut(targets, counters, running)) { IsBackground = true, Name = "fan-out sender" };
        sender.Start();
        var rate = await MeasureAsync(() => Sum(counters), measure, warmup, ct).ConfigureAwait(false);
        Volatile.Write(ref running.Value, false);
        sender.Join();
        await system.Terminate().ConfigureAwait(false);
        return rate;
    }

    /// <summary>Round-robin over all targets, never more than the credit window ahead of what was delivered. The
    /// window bounds the total, not each actor's share.</summary>
    private static void FanOut(IActorRef[] targets, long[] counters, StrongBox<bool> running)
    {
        var message = new object();
        long sent = 0;
        const long window = (long)FanOutActors * FanOutCreditPerActor;
        while (Volatile.Read(ref running.Value))
        {
            if (sent - Sum(counters) >= window)
            {
                Thread.Yield();
                continue;
            }
            foreach (var target in targets)
            {
                target.Tell(message);
            }
            sent += targets.Length;
        }
    }

    private sealed class StrongBox<T>(T value)
    {
        public T Value = value;
    }

    /// <summary>Counts what it receives; in ping-pong it sends each message back while running.</summary>
    private sealed class Bouncer(long[] counters, int slot, StrongBox<bool> running) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            counters[slot]++;
            if (running.Value && !Sender.IsNobody() && !Sender.Equals(Context.System.DeadLetters))
            {
                Sender.Tell(message, Self);
            }
        }
    }
}
