namespace Swarm.Node.Identity;

/// <summary>A consortium file could not be read: the message names the file, the line and what was expected.</summary>
public sealed class ConsortiumFormatException(string message) : Exception(message);
