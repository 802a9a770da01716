namespace Swarm.Actors.Runtime;

/// <summary>What a timer tells its actor when it fires; the generation lets the actor drop it if the timer was
/// cancelled or replaced in the meantime.</summary>
internal sealed record TimerMessage(object Key, int Generation) : AutoReceived;
