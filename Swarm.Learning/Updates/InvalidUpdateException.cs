namespace Swarm.Learning.Updates;

/// <summary>A model update that is malformed: wrong sizes, unordered indices, non-finite values, bad encoding.</summary>
public sealed class InvalidUpdateException(string message) : Exception(message);
