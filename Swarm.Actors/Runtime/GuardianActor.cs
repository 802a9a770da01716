namespace Swarm.Actors.Runtime;

/// <summary>The parent of all top-level actors (<c>/user</c>). It handles no messages; it supervises with the
/// default strategy, and a top-level actor that escalates is stopped.</summary>
internal sealed class GuardianActor : Actor
{
    protected internal override void Receive(object message) => Unhandled(message);
}
