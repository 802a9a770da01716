namespace Swarm.Tests.Networking;

public sealed class TransportTests
{
    [Fact]
    public async Task Two_transports_exchange_ordered_messages_over_mutual_tls()
    {
        await using var nodes = LoopbackNodes.Start("a", "b");
        for (var i = 0; i < 500; i++)
        {
            await nodes["a"].SendAsync("b", LoopbackNodes.Actor($"a{i}"));
            await nodes["b"].SendAsync("a", LoopbackNodes.Actor($"b{i}"));
        }
        for (var i = 0; i < 500; i++)
        {
            var (from, envelope) = await nodes.Handlers["b"].NextAsync($"b receiving message {i} from a");
            Assert.Equal("a", from);
            Assert.Equal($"a{i}", envelope.Actor.Body.ToStringUtf8());
            Assert.Equal((ulong)(i + 1), envelope.Sequence);
            Assert.Equal("/user/test", envelope.ToActorPath);
            var (fromA, reply) = await nodes.Handlers["a"].NextAsync($"a receiving message {i} from b");
            Assert.Equal("b", fromA);
            Assert.Equal($"b{i}", reply.Actor.Body.ToStringUtf8());
        }
        await nodes.Log.WaitForAsync(l => l.Contains("link a -> b up", StringComparison.Ordinal) && l.Contains("Tls13", StringComparison.Ordinal), "link protocol");
    }
}
