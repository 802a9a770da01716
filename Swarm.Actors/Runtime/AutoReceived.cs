namespace Swarm.Actors.Runtime;

/// <summary>Runtime messages that travel in the user mailbox (so they keep its order) but are unwrapped by the cell
/// before the actor sees them; one type test on the hot path covers all of them.</summary>
internal abstract record AutoReceived;
