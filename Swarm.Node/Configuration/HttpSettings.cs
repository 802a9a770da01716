namespace Swarm.Node.Configuration;

/// <summary><c>http { port }</c>: the loopback-only HTTP endpoint for metrics and health.</summary>
public sealed record HttpSettings
{
    /// <summary>0 asks the operating system for a free port.</summary>
    [SettingRange(0, 65535)]
    public int Port { get; init; }
}
