namespace Swarm.Node.Configuration;

/// <summary><c>actors { mailbox-capacity, ask-timeout, shutdown-timeout }</c>: the actor runtime.</summary>
public sealed record ActorSettings
{
    /// <summary>Messages a mailbox holds before senders wait: the bound that keeps a slow actor from eating memory.</summary>
    [SettingRange(1, 10_000_000)]
    public int MailboxCapacity { get; init; }

    [DurationRange("1ms", "10m")]
    public TimeSpan AskTimeout { get; init; }

    [DurationRange("1ms", "10m")]
    public TimeSpan ShutdownTimeout { get; init; }
}
