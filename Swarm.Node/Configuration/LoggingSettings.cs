using Microsoft.Extensions.Logging;

namespace Swarm.Node.Configuration;

/// <summary><c>logging { level, format }</c>: the lowest level written to the console and its format.</summary>
public sealed record LoggingSettings
{
    public LogLevel Level { get; init; } = LogLevel.Information;

    /// <summary>Console format of <c>swarm node</c>: simple lines or JSON lines.</summary>
    public LogFormat Format { get; init; } = LogFormat.Simple;
}
