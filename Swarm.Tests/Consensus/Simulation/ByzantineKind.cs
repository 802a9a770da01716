namespace Swarm.Tests.Consensus.Simulation;

/// <summary>How a faulty replica misbehaves. Each runs the honest replica underneath and changes what leaves it.</summary>
public enum ByzantineKind
{
    Honest,

    /// <summary>Crashed from the start: sends nothing.</summary>
    Silent,

    /// <summary>As primary, sends one block to half of the replicas and a different, validly signed block to the rest.</summary>
    Equivocate,

    /// <summary>Prepares and commits carry a random digest instead of the block's.</summary>
    WrongDigest,

    /// <summary>Besides its own messages, sends messages in other replicas' names with invalid signatures.</summary>
    Forger,

    /// <summary>Records validly signed messages it receives and sends old ones again later.</summary>
    Replayer,

    /// <summary>Floods every replica with signed votes for far-future views and with fetch requests.</summary>
    FutureFlood,

    /// <summary>Its view changes claim that nothing was prepared (it omits every prepared certificate).</summary>
    OmitPrepared,

    /// <summary>Its view changes carry an invented prepared certificate for a block nobody prepared.</summary>
    InventPrepared,

    /// <summary>As a new primary, sends half of the replicas a new view whose own view change omits its prepared
    /// certificates (re-signed), or that lacks a view change of the quorum.</summary>
    WrongNewView,

    /// <summary>Before each of its checkpoints, sends forged ones: the right digest with another timestamp, and
    /// another digest.</summary>
    ForgeCheckpoint,

    /// <summary>Relays requests in other clients' names: ids far beyond their window (which would silence them)
    /// signed with its own key, clients' genuine signed requests under new ids, and membership changes that only it
    /// approved (which would let it reconfigure the chain).</summary>
    ForgeRequest,
}
