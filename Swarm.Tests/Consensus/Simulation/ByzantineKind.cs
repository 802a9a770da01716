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
}
