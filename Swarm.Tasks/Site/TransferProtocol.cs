using Swarm.Tasks.CrossChain;

namespace Swarm.Tasks;

/// <summary>Get the import this task's spec asks for onto the chain: obtain a proof that the source chain finalized
/// the model and lets it out (built from this node's own ledger of the source chain when it is a member, fetched
/// from a peer that is otherwise), with the model's bytes, and submit the <see cref="ModelImportRequest"/>. The
/// answer comes back as <see cref="ImportObtained"/>.</summary>
public sealed record ObtainImport(TransferSpec Transfer) : SiteOutput;

/// <summary>How obtaining the import went: null when the import request was submitted, otherwise why not (no peer
/// holds the source chain, the proof a peer sent does not verify, ...). Shown in the task's status.</summary>
public sealed record ImportObtained(string? Problem) : SiteInput;

/// <summary>Build round 1's start from the imported model: <paramref name="Initial"/> (the seeded initial model)
/// with the import's layers taken from <paramref name="Source"/> (the model the chain recorded), and, under
/// <see cref="TransferSpec.RegularizeMode"/>, give the trainer the penalty's anchor. Answered by
/// <see cref="TransferApplied"/>.</summary>
public sealed record ApplyTransfer(TransferSpec Transfer, ModelImported Import, float[] Source, float[] Initial) : SiteOutput;

/// <summary>Round 1's start model built from the import, or why it could not be (a layer whose shape differs,
/// explained). Every site computes the same from the same chain, so they all start from one model hash.</summary>
public sealed record TransferApplied(float[]? Initial, string? Problem) : SiteInput;
