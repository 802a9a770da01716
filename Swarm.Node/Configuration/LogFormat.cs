namespace Swarm.Node.Configuration;

/// <summary>How <c>swarm node</c> writes its console log.</summary>
public enum LogFormat
{
    /// <summary>One readable line per entry: time, level, category, message.</summary>
    Simple,

    /// <summary>One JSON object per line with the message template's named values as fields, for log collectors.</summary>
    Json,
}
