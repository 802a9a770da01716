using Akka.Actor;

namespace Swarm.Tests.Persistence.Chain;

/// <summary>Stands in for a chain actor's parent (the task peer): it starts the chain as its child, watches it,
/// and forwards what the chain tells its parent, and its termination (as <see cref="Stopped"/>: Akka drops a
/// <see cref="Terminated"/> at an actor that did not watch the dead one), to a probe; anything else goes to the chain.</summary>
internal sealed class ChainParent : UntypedActor
{
    private readonly Props _chainProps;
    private readonly IActorRef _probe;
    private IActorRef _chain = ActorRefs.Nobody;

    public ChainParent(Props chainProps, IActorRef probe)
    {
        _chainProps = chainProps;
        _probe = probe;
    }

    public static Props Props(Props chainProps, IActorRef probe) => Akka.Actor.Props.Create(() => new ChainParent(chainProps, probe));

    /// <summary>Told to the probe first: the chain's ref.</summary>
    public sealed record Started(IActorRef Chain);

    /// <summary>Told to the probe when the chain has stopped.</summary>
    public sealed record Stopped;

    protected override void PreStart()
    {
        _chain = Context.ActorOf(_chainProps, "chain");
        Context.Watch(_chain);
        _probe.Tell(new Started(_chain));
    }

    protected override void OnReceive(object message)
    {
        if (message is Terminated)
        {
            _probe.Tell(new Stopped());
            return;
        }
        if (Sender.Equals(_chain))
        {
            _probe.Tell(message);
            return;
        }
        _chain.Forward(message);
    }

    // A failing chain is stopped, never restarted: the test sees its termination.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);
}
