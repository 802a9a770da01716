using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;

namespace Swarm.Actors.Consensus;

/// <summary>The parent asks the chain to order <paramref name="Request"/>.</summary>
public sealed record ChainSubmit(ClientRequest Request);

/// <summary>A PBFT message (MessageCodec bytes) from the member <paramref name="From"/> (its site id, for logs).</summary>
public sealed record ChainPacket(string From, byte[] Message);

/// <summary>Sent once to the parent when the chain actor has replayed its journal, before anything it commits:
/// every block of the chain so far, in height order.</summary>
public sealed record ChainRecovered(IReadOnlyList<CertifiedBlock> Blocks);

/// <summary>Told to the parent when the journal's hard state of the replica cannot be read: the replica must not run
/// (it could vote twice), so the chain waits, doing nothing, and the parent fails with <paramref name="Error"/>,
/// which stops the node (exit code 4).</summary>
public sealed record ChainStateUnreadable(ReplicaStateException Error);

/// <summary>Blocks the replica executed, in height order, sent to the parent only once they are in the journal.</summary>
public sealed record ChainBlocksCommitted(IReadOnlyList<Committed> Blocks);

/// <summary>Asks the chain for its replica's status line (answered with a <see cref="ReplicaStatus"/>).</summary>
public sealed record GetChainStatus
{
    public static readonly GetChainStatus Instance = new();
}
