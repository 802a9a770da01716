using Akka.Actor;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;

namespace Swarm.Actors.Consensus;

/// <summary>What a <see cref="ChainActor"/> is made of: the chain, this replica's place in it, its keys and how
/// its PBFT messages reach the other members.</summary>
public sealed record ChainActorOptions
{
    public required Genesis Genesis { get; init; }

    /// <summary>This replica's index among the chain's members.</summary>
    public required int ReplicaIndex { get; init; }

    public required ReplicaOptions ReplicaOptions { get; init; }

    public required ISigner Signer { get; init; }

    public required ISignatureVerifier Verifier { get; init; }

    /// <summary>The chain's clients and their keys: requests no client signed are refused.</summary>
    public required ClientKeys Clients { get; init; }

    /// <summary>Delivers an encoded PBFT message (MessageCodec bytes) to the member with the given index, with the
    /// given sender (the chain's parent); the chain actor calls it only from its own turn, and only once what the
    /// message depends on is in the journal.</summary>
    public required Action<int, byte[], IActorRef> Send { get; init; }

    /// <summary>Delivers an encoded PBFT message to every other member, like <see cref="Send"/>.</summary>
    public required Action<byte[], IActorRef> Broadcast { get; init; }

    /// <summary>The replica's clock tick.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The journal's persistence id of a chain: one per chain, and one chain per node's store.</summary>
    public static string PersistenceIdOf(Genesis genesis) => "chain-" + genesis.ChainId;
}
