using Swarm.Actors.Consensus;
using Swarm.Consensus.Encoding;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus.Simulation;

/// <summary>One simulated replica: its key, its store (which outlives crashes) and, while it is up, its host.</summary>
public sealed class SimNode(int id, ByzantineKind kind, ISigner signer, IReplicaLedger ledger)
{
    public int Id { get; } = id;
    public ByzantineKind Kind { get; } = kind;
    public ISigner Signer { get; } = signer;
    public IReplicaLedger Ledger { get; } = ledger;
    public ReplicaHost? Host { get; set; }
    public bool Up => Host is not null;
    public bool Honest => Kind == ByzantineKind.Honest;
    public List<Digest> CommittedHashes { get; } = [];
    public int EdgeRejections { get; set; }
    public int CoreRejections { get; set; }
    public string? LastRejection { get; set; }
    public List<SignedMessage> Recorded { get; } = [];

    /// <summary>Lies a Byzantine replica actually told (a scenario checks that its fault took effect).</summary>
    public int Lies { get; set; }

    /// <summary>This replica's clock runs this far ahead of (or behind) simulated time.</summary>
    public long ClockOffsetMs { get; set; }

    /// <summary>When set, the replica crashes after this many more messages left it, in the middle of one step.</summary>
    public int? CrashAfterSends { get; set; }

    /// <summary>Request keys this replica executed, to check exactly-once execution across restarts.</summary>
    public HashSet<Swarm.Consensus.Blocks.RequestKey> Executed { get; } = [];

    public ReplicaStatus Status => Host?.Replica.Status ?? new ReplicaStatus(Id, -1, CommittedHashes.Count, -1, ReplicaMode.Normal, 0);

    public string StatusLine => $"{Status} [{Kind}{(Up ? "" : ", down")}]";
}
