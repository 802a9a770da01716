using Swarm.Actors.Runtime;
using Swarm.Tests.TestKit;

namespace Swarm.Tests.Actors;

public sealed class AskTests : ActorTestKit
{
    [Fact]
    public async Task Ask_returns_the_reply()
    {
        var counter = Sys.ActorOf(Props.Create(() => new CounterActor(null)), "counter");
        counter.Tell("inc");

        Assert.Equal(1, await counter.Ask<int>("get", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Ask_without_a_reply_times_out_on_the_system_clock_naming_target_and_timeout()
    {
        var silent = CreateProbe();

        var ask = silent.Ref.Ask<int>("anyone?", TimeSpan.FromSeconds(5));
        await silent.ExpectMsgAsync("anyone?", phase: "the question arrived");
        Time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.False(ask.IsCompleted);
        Time.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => ask);
        Assert.Equal(silent.Ref.Path, error.Target);
        Assert.Equal(TimeSpan.FromSeconds(5), error.Timeout);
        Assert.Contains(silent.Ref.Path.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("5000 ms", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_late_reply_to_a_timed_out_ask_becomes_a_dead_letter()
    {
        var probe = CreateProbe();
        var letters = new List<DeadLetter>();
        using var subscription = Sys.EventStream.Subscribe<DeadLetter>(d =>
        {
            lock (letters)
            {
                letters.Add(d);
            }
        });
        var ask = probe.Ref.Ask<string>("question", TimeSpan.FromSeconds(1));
        await probe.ExpectMsgAsync("question");
        Time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<AskTimeoutException>(() => ask);

        probe.Reply("too late");

        lock (letters)
        {
            Assert.Equal("too late", Assert.Single(letters).Message);
        }
    }

    [Fact]
    public void A_synchronous_test_can_use_the_blocking_probe_forms()
    {
        var probe = CreateProbe();
        var counter = Sys.ActorOf(Props.Create(() => new CounterActor(null)), "counter");

        probe.Send(counter, "get");

        Assert.Equal(0, probe.ExpectMsg<int>());
        Assert.Equal(counter, probe.LastSender);
        probe.Tell("to myself");
        Assert.Equal("to myself", probe.FishForMessage<string>(_ => true));
    }

    [Fact]
    public async Task A_StatusFailure_reply_fails_the_ask_with_its_cause()
    {
        var probe = CreateProbe();
        var ask = probe.Ref.Ask<int>("question", TimeSpan.FromSeconds(5));
        await probe.ExpectMsgAsync("question");

        probe.Reply(new StatusFailure(new InvalidDataException("no such round")));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ask);
        Assert.Equal("no such round", error.Message);
    }

    [Fact]
    public async Task A_reply_of_the_wrong_type_fails_the_ask_naming_both_types()
    {
        var probe = CreateProbe();
        var ask = probe.Ref.Ask<int>("question", TimeSpan.FromSeconds(5));
        await probe.ExpectMsgAsync("question");

        probe.Reply("not a number");

        var error = await Assert.ThrowsAsync<InvalidCastException>(() => ask);
        Assert.Contains("Int32", error.Message, StringComparison.Ordinal);
        Assert.Contains("String", error.Message, StringComparison.Ordinal);
    }
}
