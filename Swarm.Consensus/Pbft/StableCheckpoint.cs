using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Pbft;

/// <summary>A checkpoint proved by a quorum of matching checkpoint messages (§4.3), or the genesis.</summary>
public sealed record StableCheckpoint(long Sequence, Digest Hash, long TimestampMs, IReadOnlyList<SignedMessage> Proof);
