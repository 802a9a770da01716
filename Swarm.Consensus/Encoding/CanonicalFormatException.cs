namespace Swarm.Consensus.Encoding;

/// <summary>Malformed canonical bytes. Thrown only inside decoders, which catch it and return a rejection.</summary>
public sealed class CanonicalFormatException(string message) : Exception(message);
