using System.Collections.Concurrent;
using Swarm.Actors.Runtime;
using Swarm.Tests.TestKit;

namespace Swarm.Tests.Actors;

public sealed class DeadLetterTests : ActorTestKit
{
    [Fact]
    public async Task A_message_to_a_stopped_actor_is_published_as_a_dead_letter()
    {
        var probe = CreateProbe();
        var listener = CreateProbe();
        Sys.EventStream.Subscribe(listener.Ref, typeof(DeadLetter));
        var target = Sys.ActorOf(Props.Create(() => new CounterActor(null)), "target");
        await probe.WatchAsync(target);
        Sys.Stop(target);
        await probe.ExpectTerminatedAsync(target);

        probe.Send(target, "inc");

        var letter = await listener.ExpectMsgAsync<DeadLetter>();
        Assert.Equal("inc", letter.Message);
        Assert.Equal(probe.Ref, letter.Sender);
        Assert.Equal(target, letter.Recipient);
        Assert.Equal("recipient stopped", letter.Reason);
        Assert.Equal(1, Sys.DeadLetterCount);
    }

    [Fact]
    public async Task Tell_to_a_full_mailbox_does_not_block_and_the_message_becomes_a_dead_letter()
    {
        var letters = new ConcurrentQueue<DeadLetter>();
        using var subscription = Sys.EventStream.Subscribe<DeadLetter>(letters.Enqueue);
        using var gate = new Gate();
        var blocked = Sys.ActorOf(Props.Create(() => new BlockingActor(gate)) with { MailboxCapacity = 2 }, "blocked");
        blocked.Tell("first"); // taken out of the mailbox, then blocks the actor
        await gate.Entered.WaitAsync(TestProbe.DefaultTimeout);

        blocked.Tell("second");
        blocked.Tell("third");  // the mailbox (2) is now full
        blocked.Tell("fourth"); // returns at once: dead letter

        var letter = Assert.Single(letters);
        Assert.Equal("fourth", letter.Message);
        Assert.Equal("mailbox full (2 messages)", letter.Reason);
        Assert.Equal(blocked, letter.Recipient);
        gate.Release();
        Assert.Equal(["first", "second", "third"], await SeenAsync(blocked));
    }

    [Fact]
    public async Task TellAsync_to_a_full_mailbox_waits_for_space_instead()
    {
        using var gate = new Gate();
        var blocked = Sys.ActorOf(Props.Create(() => new BlockingActor(gate)) with { MailboxCapacity = 1 }, "blocked");
        blocked.Tell("first");
        await gate.Entered.WaitAsync(TestProbe.DefaultTimeout);
        blocked.Tell("second");

        var waiting = blocked.TellAsync("third").AsTask();
        Assert.False(waiting.IsCompleted); // the actor is blocked, so no space can appear
        gate.Release();
        await waiting.WaitAsync(TestProbe.DefaultTimeout);

        Assert.Equal(["first", "second", "third"], await SeenAsync(blocked));
        Assert.Equal(0, Sys.DeadLetterCount);
    }

    [Fact]
    public async Task A_message_to_an_unknown_path_is_a_dead_letter()
    {
        var listener = CreateProbe();
        Sys.EventStream.Subscribe(listener.Ref, typeof(DeadLetter));

        Sys.ResolvePath(ActorPath.Parse("swarm://test-node/user/ghost")).Tell("hello");

        var letter = await listener.ExpectMsgAsync<DeadLetter>();
        Assert.Equal("hello", letter.Message);
        Assert.Equal("swarm://test-node/user/ghost", letter.Recipient.Path.ToString());
        Assert.Equal("no actor at this path", letter.Reason);
    }

    /// <summary>What the actor has seen, asked through TellAsync: the mailbox may still be full, and a plain Ask
    /// would turn into a dead letter.</summary>
    private async Task<string[]> SeenAsync(ActorRef blocked)
    {
        var probe = CreateProbe();
        await blocked.TellAsync("seen", probe.Ref);
        return await probe.ExpectMsgAsync<string[]>();
    }

    /// <summary>Lets a test hold an actor inside Receive (so its mailbox fills) and know when it got there.</summary>
    private sealed class Gate : IDisposable
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _open = new();

        public Task Entered => _entered.Task;

        public void Block()
        {
            _entered.TrySetResult();
            _open.Wait(TestProbe.DefaultTimeout);
        }

        public void Release() => _open.Set();

        public void Dispose() => _open.Dispose();
    }

    private sealed class BlockingActor(Gate gate) : Actor
    {
        private readonly List<string> _seen = [];

        protected override void Receive(object message)
        {
            if (message is "seen")
            {
                Sender.Tell(_seen.ToArray());
                return;
            }
            _seen.Add((string)message);
            if (_seen.Count == 1)
            {
                gate.Block();
            }
        }
    }
}
