using Swarm.Actors.Runtime;

namespace Swarm.Tests.Actors;

/// <summary>A test actor with state: "inc" adds one, "get" replies the count, "boom" throws. It reports its
/// lifecycle hooks to <c>reporter</c> as <see cref="Lifecycle"/> values.</summary>
internal sealed class CounterActor(ActorRef? reporter) : Actor
{
    private int _count;

    internal sealed record Lifecycle(string Hook, string Path, object? FailedMessage = null);

    internal sealed class BoomException(string message) : InvalidOperationException(message);

    protected override void Receive(object message)
    {
        switch (message)
        {
            case "inc":
                _count++;
                break;
            case "get":
                Sender.Tell(_count, Self);
                break;
            case "boom":
                throw new BoomException($"boom in {Self.Path}");
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PreStart() => Report("PreStart");

    protected override void PostStop() => Report("PostStop");

    protected override void PreRestart(Exception reason, object? message)
    {
        reporter?.Tell(new Lifecycle("PreRestart", Self.Path.ToString(), message));
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason) => Report("PostRestart");

    private void Report(string hook) => reporter?.Tell(new Lifecycle(hook, Self.Path.ToString()));
}
