using Swarm.Tasks;
using System.Threading.Channels;
using Akka.Actor;
using Swarm.Actors.Tasks;
using Swarm.Node.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>Stands in for the task engine: reports each start (node, launch, own path) on a channel, answers
/// progress as round 1 of the task, answers a cancel with Cancelled and reports it, reports Completed to its parent and stops on "finish",
/// and fails on "crash".</summary>
internal sealed class FakeTaskPeer(string node, TaskLaunch launch, ChannelWriter<FakeTaskPeer.Event> events) : UntypedActor
{
    public sealed record Event(string Node, string Kind, TaskLaunch Launch, IActorRef Peer, string? Reason = null)
    {
        /// <summary>The peer's address (<c>swarm://node/user/tasks/id</c>).</summary>
        public string Path => $"swarm://{Node}{Peer.Path.ToStringWithoutAddress()}";
    }

    protected override void PreStart() => events.TryWrite(new Event(node, "started", launch, Self));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case GetTaskProgress:
                Sender.Tell(new TaskProgress(launch.Spec.Id, TaskState.Running, 1, launch.Spec.Rounds, "cafe", 3, null));
                break;
            case CancelTask cancel:
                events.TryWrite(new Event(node, "cancelled", launch, Self, cancel.Reason));
                Sender.Tell(new TaskProgress(launch.Spec.Id, TaskState.Cancelled, 1, launch.Spec.Rounds, "cafe", 4, cancel.Reason));
                break;
            case "finish":
                Context.Parent.Tell(new TaskProgress(launch.Spec.Id, TaskState.Completed, launch.Spec.Rounds, launch.Spec.Rounds, "beef", 9, "done"), Self);
                Context.Stop(Self);
                break;
            case "crash":
                throw new InvalidOperationException("the engine exploded");
            default:
                Unhandled(message);
                break;
        }
    }
}
