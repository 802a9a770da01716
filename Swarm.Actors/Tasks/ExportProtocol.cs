using Swarm.Tasks.CrossChain;

namespace Swarm.Actors.Tasks;

/// <summary>Sent by an importing task's site (<paramref name="Requester"/>, of task <paramref name="ImporterTaskId"/>
/// whose canonical spec is <paramref name="ImporterSpecBytes"/>) to the task manager of a node: if this node takes part
/// in the source chain <paramref name="SourceChainId"/>, build a proof that <paramref name="Model"/> (a hash, or
/// "final") is final there and that grant <paramref name="GrantId"/> lets the importer take
/// <paramref name="Layers"/>. Answered with <see cref="ExportOffer"/> or <see cref="ExportRefused"/> to the
/// requester's task peer. Hashes and names only: the proof and the model travel by blob transfer.</summary>
public sealed record ExportRequest(string Requester, string ImporterTaskId, byte[] ImporterSpecBytes, string SourceChainId, string Model,
    string GrantId, IReadOnlyList<string> Layers);

/// <summary><paramref name="Holder"/> serves the proof (<paramref name="ProofHash"/>) and the model
/// (<paramref name="ModelHash"/>) to the requester by blob transfer.</summary>
public sealed record ExportOffer(string Holder, string ImporterTaskId, string SourceChainId, string ProofHash, string ModelHash);

/// <summary><paramref name="Holder"/> does not export: it is not a member of the source chain, the grant does not
/// let the model out to the importer, or the model is not final there.</summary>
public sealed record ExportRefused(string Holder, string ImporterTaskId, string SourceChainId, string Reason);

/// <summary>Asked of a node's task manager by its operator (HTTP, <c>swarm task export-grant</c>): this node's site of
/// task <paramref name="TaskId"/> states grant (or withdrawal) <paramref name="GrantId"/> of <paramref name="Scope"/>
/// on the task's chain. Answered with <see cref="ExportGranted"/>.</summary>
public sealed record GrantExportRequest(string TaskId, string GrantId, bool Grant, ExportScope Scope);

/// <summary>The statement was submitted to the chain of <paramref name="TaskId"/> (a grant is in force once a quorum
/// of the chain's sites stated it); <paramref name="ChainId"/> and <paramref name="GenesisHash"/> are what an importing
/// spec names as <c>transfer.source</c> and <c>transfer.genesis</c>. <paramref name="Error"/> when refused.</summary>
public sealed record ExportGranted(string TaskId, string ChainId, string GenesisHash, string? Error);
