namespace Swarm.Actors.Runtime;

/// <summary>An <see cref="ActorRef.Ask{T}"/> got no reply in time; the message names the target and the timeout.</summary>
public sealed class AskTimeoutException : TimeoutException
{
    public AskTimeoutException(ActorPath target, TimeSpan timeout, Type messageType)
        : base($"ask to {target} ({messageType.Name}) got no reply within {timeout.TotalMilliseconds:0.###} ms")
    {
        Target = target;
        Timeout = timeout;
    }

    /// <summary>The actor that was asked.</summary>
    public ActorPath Target { get; }

    /// <summary>How long the ask waited.</summary>
    public TimeSpan Timeout { get; }
}
