using Swarm.Actors.Runtime;
using Swarm.Tests.TestKit;

namespace Swarm.Tests.Actors;

public sealed class MessagingTests() : ActorTestKit(new ActorSystemSettings { MailboxCapacity = 64 })
{
    private const int MessagesPerSender = 5_000;

    [Fact]
    public async Task Messages_from_one_sender_to_one_receiver_arrive_in_the_order_sent()
    {
        var recorder = Sys.ActorOf(Props.Create(() => new SequenceRecorder()), "recorder");
        var senders = Enumerable.Range(0, 3).Select(_ => CreateProbe().Ref).ToList();

        // Three senders at once into a mailbox of 64; TellAsync waits for space, so nothing is dropped.
        await Task.WhenAll(senders.Select(sender => Task.Run(async () =>
        {
            for (var i = 1; i <= MessagesPerSender; i++)
            {
                await recorder.TellAsync(i, sender);
            }
        })));
        var summary = await recorder.Ask<SequenceRecorder.Summary>("summary", TimeSpan.FromMinutes(1));

        Assert.Equal(0, Sys.DeadLetterCount);
        Assert.Equal(3, summary.LastBySender.Count);
        Assert.All(summary.LastBySender.Values, last => Assert.Equal(MessagesPerSender, last));
        Assert.Empty(summary.OutOfOrder);
    }

    [Fact]
    public async Task An_actor_never_processes_two_messages_at_once_under_concurrent_senders()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ConcurrencyDetector()), "detector");
        const int senders = 4;
        const int perSender = 10_000;

        // TellAsync waits for mailbox space (64 here), so no message becomes a dead letter.
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < perSender; i++)
            {
                await actor.TellAsync("work");
            }
        })));
        var result = await actor.Ask<ConcurrencyDetector.Result>("result", TimeSpan.FromMinutes(1));

        Assert.Equal(senders * perSender, result.Processed);
        Assert.Equal(1, result.MaxConcurrent);
        Assert.Equal(0, Sys.DeadLetterCount);
    }

    [Fact]
    public async Task PoisonPill_stops_the_actor_after_the_messages_before_it()
    {
        var probe = CreateProbe();
        var counter = Sys.ActorOf(Props.Create(() => new CounterActor(probe.Ref)), "counter");
        await probe.ExpectMsgAsync<CounterActor.Lifecycle>(l => l.Hook == "PreStart");
        await probe.WatchAsync(counter);

        probe.Send(counter, "get");
        counter.Tell(PoisonPill.Instance);
        probe.Send(counter, "get");

        Assert.Equal(0, await probe.ExpectMsgAsync<int>(phase: "reply before the pill"));
        await probe.ExpectMsgAsync<CounterActor.Lifecycle>(l => l.Hook == "PostStop");
        await probe.ExpectTerminatedAsync(counter);
    }

    [Fact]
    public async Task Become_switches_the_behaviour_until_Unbecome()
    {
        var probe = CreateProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Switcher()), "switcher");

        foreach (var message in new[] { "who", "switch", "who", "back", "who" })
        {
            probe.Send(actor, message);
        }

        await probe.ExpectMsgAsync("normal");
        await probe.ExpectMsgAsync("switched");
        await probe.ExpectMsgAsync("normal");
    }

    private sealed class SequenceRecorder : Actor
    {
        private readonly Dictionary<ActorPath, int> _last = [];
        private readonly List<string> _outOfOrder = [];

        internal sealed record Summary(IReadOnlyDictionary<ActorPath, int> LastBySender, IReadOnlyList<string> OutOfOrder);

        protected override void Receive(object message)
        {
            if (message is int sequence)
            {
                var last = _last.GetValueOrDefault(Sender.Path);
                if (sequence != last + 1)
                {
                    _outOfOrder.Add($"{Sender.Path}: {sequence} after {last}");
                }
                _last[Sender.Path] = sequence;
            }
            else if (message is "summary")
            {
                Sender.Tell(new Summary(new Dictionary<ActorPath, int>(_last), [.. _outOfOrder]));
            }
        }
    }

    private sealed class ConcurrencyDetector : Actor
    {
        private int _inside;
        private int _maxConcurrent;
        private int _processed;

        internal sealed record Result(int Processed, int MaxConcurrent);

        protected override void Receive(object message)
        {
            if (message is "result")
            {
                Sender.Tell(new Result(_processed, _maxConcurrent));
                return;
            }
            var now = Interlocked.Increment(ref _inside);
            _maxConcurrent = Math.Max(_maxConcurrent, now);
            Thread.SpinWait(20);
            _processed++;
            Interlocked.Decrement(ref _inside);
        }
    }

    private sealed class Switcher : Actor
    {
        protected override void Receive(object message)
        {
            switch (message)
            {
                case "who":
                    Sender.Tell("normal");
                    break;
                case "switch":
                    Context.Become(m =>
                    {
                        if (m is "back")
                        {
                            Context.Unbecome();
                        }
                        else
                        {
                            Sender.Tell("switched");
                        }
                    });
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }
    }
}
