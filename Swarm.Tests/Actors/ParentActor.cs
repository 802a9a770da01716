using Swarm.Actors.Runtime;

namespace Swarm.Tests.Actors;

/// <summary>A supervisor for tests: creates the named children in PreStart, supervises them with
/// <c>strategy</c>, and tells each child's ref to <c>reporter</c> as a <see cref="ChildCreated"/>. Messages of type
/// <see cref="ForwardTo"/> go to a child.</summary>
internal sealed class ParentActor(SupervisorStrategy strategy, IReadOnlyList<(string Name, Props Props)> children, ActorRef reporter) : Actor
{
    internal sealed record ChildCreated(string Name, ActorRef Child);

    internal sealed record ForwardTo(string Name, object Message);

    protected override SupervisorStrategy SupervisorStrategy => strategy;

    protected override void PreStart()
    {
        foreach (var (name, props) in children)
        {
            reporter.Tell(new ChildCreated(name, Context.ActorOf(props, name)));
        }
    }

    protected override void Receive(object message)
    {
        if (message is ForwardTo forward && Context.Child(forward.Name) is { } child)
        {
            child.Tell(forward.Message, Sender);
        }
        else
        {
            Unhandled(message);
        }
    }
}
