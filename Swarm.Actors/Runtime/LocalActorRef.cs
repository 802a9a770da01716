namespace Swarm.Actors.Runtime;

/// <summary>A ref to an actor of this node; it points at one incarnation (cell) of the path.</summary>
internal sealed class LocalActorRef : ActorRef
{
    internal LocalActorRef(ActorSystem system, ActorPath path, ActorCell cell)
        : base(system, path)
    {
        Cell = cell;
    }

    internal ActorCell Cell { get; }

    public override void Tell(object message, ActorRef? sender = null) => Cell.Post(message, sender);

    public override ValueTask TellAsync(object message, ActorRef? sender = null, CancellationToken cancellationToken = default) =>
        Cell.PostAsync(message, sender, cancellationToken);

    internal override void SendSystemMessage(SystemMessage message) => Cell.SendSystemMessage(message);

    private protected override bool SameIncarnation(ActorRef other) => other is LocalActorRef local && ReferenceEquals(Cell, local.Cell);
}
