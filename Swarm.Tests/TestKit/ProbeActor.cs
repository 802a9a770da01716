using System.Threading.Channels;
using Swarm.Actors.Runtime;

namespace Swarm.Tests.TestKit;

/// <summary>The actor behind a <see cref="TestProbe"/>: queues everything it receives (Terminated included) for the
/// test to inspect, and carries out the probe's watch requests.</summary>
internal sealed class ProbeActor(ChannelWriter<ProbeActor.Received> received) : Actor
{
    internal sealed record Received(object Message, ActorRef Sender);

    internal sealed record WatchRequest(ActorRef Target, bool Watch, TaskCompletionSource Done);

    protected override void Receive(object message)
    {
        if (message is WatchRequest request)
        {
            if (request.Watch)
            {
                Context.Watch(request.Target);
            }
            else
            {
                Context.Unwatch(request.Target);
            }
            request.Done.TrySetResult();
            return;
        }
        received.TryWrite(new Received(message, Sender));
    }
}
