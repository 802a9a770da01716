using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Pbft;

// The PBFT messages (Castro and Liskov, TOCS 2002, §4). Every message names its sender and is signed as a whole
// at the edge (MessageCodec.SigningBytes); the core sees them only as verified envelopes.

/// <summary>A PBFT protocol message; <see cref="Sender"/> is covered by the signature.</summary>
public abstract record PbftMessage(int Sender);

/// <summary>Client requests relayed to every replica, so that backups can time out on a primary that ignores
/// them (§4.1: a client whose request is not served multicasts it to all replicas).</summary>
public sealed record RequestBatch(int Sender, IReadOnlyList<ClientRequest> Requests) : PbftMessage(Sender);

/// <summary>The primary assigns sequence number <paramref name="Sequence"/> (the block height) to a block (§4.2).</summary>
public sealed record PrePrepare(int Sender, long View, long Sequence, Block Block) : PbftMessage(Sender);

public sealed record Prepare(int Sender, long View, long Sequence, Digest BlockHash) : PbftMessage(Sender);

/// <summary>Signed exactly as a <see cref="CommitVote"/>, so commits form the block's certificate.</summary>
public sealed record Commit(int Sender, long View, long Sequence, Digest BlockHash) : PbftMessage(Sender);

/// <summary>State digest after executing <paramref name="Sequence"/>: the block hash there, which commits to the
/// whole chain below it (§4.3). The timestamp lets a new primary build null blocks on top of it.</summary>
public sealed record Checkpoint(int Sender, long Sequence, Digest BlockHash, long TimestampMs) : PbftMessage(Sender);

/// <summary>A prepared certificate (§4.4, the set P): the primary's pre-prepare and a quorum minus one matching
/// prepares from distinct backups.</summary>
public sealed record PreparedProof(SignedMessage PrePrepare, IReadOnlyList<SignedMessage> Prepares)
{
    public PrePrepare Proposal => (PrePrepare)PrePrepare.Message;
}

/// <summary>§4.4: a replica moving to <paramref name="NewView"/> reports its stable checkpoint with its proof and
/// every request prepared above it.</summary>
public sealed record ViewChange(
    int Sender,
    long NewView,
    long StableSequence,
    Digest StableHash,
    long StableTimestampMs,
    IReadOnlyList<SignedMessage> CheckpointProof,
    IReadOnlyList<PreparedProof> Prepared) : PbftMessage(Sender);

/// <summary>§4.4: the new primary's proof that a quorum moved to <paramref name="View"/>. Backups recompute the
/// re-proposals (the set O) from these view changes themselves, so O is not shipped; the primary then sends a
/// signed pre-prepare for each entry, which backups accept only if it matches their own O.</summary>
public sealed record NewView(int Sender, long View, IReadOnlyList<SignedMessage> ViewChanges) : PbftMessage(Sender);

/// <summary>State transfer (§5.3, simplified to a chain): ask a peer for committed blocks with certificates.</summary>
public sealed record FetchBlocks(int Sender, long FromHeight, long ToHeight) : PbftMessage(Sender);

/// <summary>Committed blocks; each carries its own certificate, so the reply is checked block by block.</summary>
public sealed record BlocksReply(int Sender, IReadOnlyList<CertifiedBlock> Blocks) : PbftMessage(Sender);

/// <summary>A message with its sender's signature over <see cref="MessageCodec.SigningBytes"/>.</summary>
public sealed record SignedMessage(PbftMessage Message, byte[] Signature);
