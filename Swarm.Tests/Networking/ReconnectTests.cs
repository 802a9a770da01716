namespace Swarm.Tests.Networking;

public sealed class ReconnectTests
{
    [Fact]
    public async Task A_link_redials_after_the_peer_restarts_and_delivers_in_order()
    {
        await using var nodes = LoopbackNodes.Start("a", "b");
        var port = nodes["b"].LocalEndpoint!.Port;
        await nodes["a"].SendAsync("b", LoopbackNodes.Actor("before"));
        Assert.Equal("before", (await nodes.Handlers["b"].NextAsync("b receiving before the restart")).Envelope.Actor.Body.ToStringUtf8());

        await nodes.StopNodeAsync("b");
        await nodes.Log.WaitForAsync(l => l.Contains("link a -> b down", StringComparison.Ordinal), "a noticing b is gone");
        nodes.StartNode("b", nodes.Consortium, port: port);

        for (var i = 0; i < 20; i++)
        {
            await nodes["a"].SendAsync("b", LoopbackNodes.Actor($"after{i}"));
        }
        var previous = 0UL;
        for (var i = 0; i < 20; i++)
        {
            var (_, envelope) = await nodes.Handlers["b"].NextAsync($"b receiving message {i} after the restart");
            Assert.Equal($"after{i}", envelope.Actor.Body.ToStringUtf8());
            Assert.True(envelope.Sequence > previous, "sequence numbers increase across the reconnect");
            previous = envelope.Sequence;
        }
        Assert.Equal(2, nodes.Log.Lines.Count(l => l.Contains("link a -> b up", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Try_send_fails_and_send_waits_when_the_peer_queue_is_full()
    {
        var options = LoopbackNodes.FastOptions with { PeerQueueMessagesMax = 3 };
        await using var nodes = LoopbackNodes.Start(options, "a", "b");
        await nodes.StopNodeAsync("b");

        var accepted = 0;
        while (nodes["a"].TrySend("b", LoopbackNodes.Actor($"m{accepted}")))
        {
            accepted++;
            Assert.True(accepted <= 4, "the queue bound holds");
        }
        var waiting = nodes["a"].SendAsync("b", LoopbackNodes.Actor("waits")).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.InRange(accepted, 2, 4);

        nodes.StartNode("b", nodes.Consortium, options, port: 0);
        nodes.Publish(nodes.Consortium);
        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        await nodes.Handlers["b"].NextAsync("b draining the full queue after it came up");
    }
}
