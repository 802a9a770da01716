using Swarm.Consensus.Blocks;

namespace Swarm.Consensus.Pbft;

// Inputs and outputs of Replica.Step. The edge performs outputs strictly in list order, and a Persist output
// must be durable before the edge performs any later output (persist before send, STYLE.md #3; etcd raft).

/// <summary>Something that happened to the replica.</summary>
public abstract record ReplicaInput;

/// <summary>A client request submitted at this replica.</summary>
public sealed record SubmitRequest(ClientRequest Request) : ReplicaInput;

/// <summary>A peer message whose signature and sender membership the edge has checked.</summary>
public sealed record Receive(VerifiedMessage Message) : ReplicaInput;

/// <summary>One tick of the replica's timer; <paramref name="NowMs"/> is the edge's clock, used only to bound
/// the timestamps of proposed blocks.</summary>
public sealed record Tick(long NowMs) : ReplicaInput;

/// <summary>The edge signed a message the replica asked to sign (<see cref="SignRequest"/>).</summary>
public sealed record Signed(SignedMessage Message, int? To) : ReplicaInput;

/// <summary>The edge read committed blocks from its ledger for a peer's fetch (<see cref="ReadBlocks"/>).</summary>
public sealed record BlocksRead(int Requester, IReadOnlyList<CertifiedBlock> Blocks) : ReplicaInput;

/// <summary>Something the edge must do.</summary>
public abstract record ReplicaOutput;

/// <summary>Sign this message; return it as <see cref="Signed"/>. <paramref name="To"/> null means broadcast.</summary>
public sealed record SignRequest(PbftMessage Message, int? To) : ReplicaOutput;

public sealed record Send(int To, SignedMessage Message) : ReplicaOutput;

/// <summary>Send to every other member of the current configuration.</summary>
public sealed record Broadcast(SignedMessage Message) : ReplicaOutput;

/// <summary>Append the block to the ledger, durably, before the next output.</summary>
public sealed record PersistBlock(CertifiedBlock Block) : ReplicaOutput;

/// <summary>Store the replica's hard state, durably, before the next output.</summary>
public sealed record PersistState(HardState State) : ReplicaOutput;

/// <summary>The block is committed and executed; <paramref name="Executed"/> are its requests that were not
/// duplicates of requests executed before.</summary>
public sealed record Committed(CertifiedBlock Block, IReadOnlyList<ClientRequest> Executed) : ReplicaOutput;

/// <summary>Read committed blocks [From, To] from the ledger and return them as <see cref="BlocksRead"/>.</summary>
public sealed record ReadBlocks(int Requester, long From, long To) : ReplicaOutput;

/// <summary>Input from a peer was refused; the reason names what was wrong.</summary>
public sealed record Rejected(int From, string Reason) : ReplicaOutput;

/// <summary>This replica holds evidence of two certificates for one height (another block than the one it executed
/// there): more than f replicas are faulty, or there is a bug. The replica has stopped acting on this chain.</summary>
public sealed record ForkDetected(long Height, string Reason) : ReplicaOutput;
