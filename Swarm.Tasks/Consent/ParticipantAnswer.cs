namespace Swarm.Tasks;

/// <summary>One participant's answer as the submitter saw it.</summary>
public sealed record ParticipantAnswer(string Node, bool Consents, string? Reason);
