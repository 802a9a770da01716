namespace Swarm.Tasks;

/// <summary>One participant's answer as the submitter saw it.</summary>
public sealed record ParticipantAnswer(string Node, bool Consents, string? Reason)
{
    /// <summary>The training samples the participant declared with its consent (checked: signed by it, for this
    /// task, within the bounds); its FedAvg weight for the task. Null without a (checked) declaration.</summary>
    public long? SampleCount { get; init; }
}
