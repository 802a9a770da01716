namespace Swarm.Actors.Runtime;

/// <summary>
/// A watched actor has died. It goes through the watcher's user mailbox, behind everything already queued there, so
/// the messages the dead actor sent before it stopped arrive before its <see cref="Terminated"/> (the same order
/// guarantee Akka gives). It becomes a Terminated only if the watch is still on when it is processed.
/// </summary>
internal sealed record TerminatedSignal(ActorRef Actor) : AutoReceived;
