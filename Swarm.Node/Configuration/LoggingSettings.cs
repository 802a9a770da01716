using Microsoft.Extensions.Logging;

namespace Swarm.Node.Configuration;

/// <summary><c>logging { level }</c>: the lowest level written to the console.</summary>
public sealed record LoggingSettings
{
    public LogLevel Level { get; init; } = LogLevel.Information;
}
