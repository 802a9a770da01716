using Swarm.Consensus.Blocks;

namespace Swarm.Actors.Consensus;

/// <summary>What one step of a deferring <see cref="ReplicaHost"/> must make durable, and what waits for it. The
/// owner stores <see cref="Blocks"/> (in height order) and then <see cref="HardState"/> (the last one of the step:
/// each hard state is complete, so the earlier ones need no write) in one durable write, and only then calls
/// <see cref="Release"/>, which sends the messages and reports the commits that depend on them, in the order the
/// replica produced them. A write that fails must never be followed by <see cref="Release"/>.</summary>
public sealed record DurableBatch(IReadOnlyList<CertifiedBlock> Blocks, byte[]? HardState, Action Release);
