using System.Runtime.InteropServices;
using Swarm.Learning.Updates;
using Swarm.Tasks.CrossChain;

namespace Swarm.Tasks;

/// <summary>
/// A task whose spec has a transfer section does not train round 1 before its chain recorded an import of the source
/// model (docs/cross-chain.md, "Imports on nodes"): the site asks its adapter to obtain a proof and submit the import
/// request; every replica verifies the proof when the request executes (<see cref="ChainImports"/>); once the chain
/// recorded it, the site fetches the model by its hash (the recording site holds it), builds round 1's start from
/// the imported layers, and the rounds go on as usual. A refused import ends the task on every site: the site
/// records a cancellation whose reason is the chain's refusal, so the reason reaches every node's status.
/// </summary>
public sealed partial class TaskSite
{
    /// <summary>Retry ticks to wait for a submitted import request to be committed before obtaining it again.</summary>
    private const int ImportWaitRetries = 15;

    private readonly float[]? _seedModel;
    private bool _transferReady;
    private bool _obtaining;
    private int _importWait;
    private bool _applying;
    private bool _refusalSent;
    private float[]? _importedModel;
    private string? _transferDetail;

    /// <summary>Whether the transfer still holds the rounds back (then it has started what is due for it).</summary>
    private bool TransferPending(bool retry)
    {
        if (_spec.Transfer is not { } transfer || _transferReady)
        {
            return false;
        }
        if (transfer.Mode == TransferSpec.InitMode && _chain.LastFinalized is not null)
        {
            // A restarted site past round 1: the start model is history, the rounds carry on from the chain.
            _transferReady = true;
            return false;
        }
        if (ImportInUse() is not { } import)
        {
            if (_chain.Imports.Refused.Count > 0)
            {
                EndRefused(_chain.Imports.Refused[0].Reason);
                return true;
            }
            ObtainDue(transfer, retry);
            return true;
        }
        if (_importedModel is null)
        {
            _transferDetail = $"fetching the imported model {import.Import.ModelHash[..12]} of {import.Import.SourceChainId}";
            Want(BlobKind.Model, import.Import.ModelHash, [import.Site], retry);
            return true;
        }
        if (!_applying)
        {
            _applying = true;
            _transferDetail = $"building round 1's start from layers of model {import.Import.ModelHash[..12]}";
            Emit(new ApplyTransfer(transfer, import, _importedModel, _seedModel!));
        }
        return true;
    }

    /// <summary>The import the task uses: the first one the chain recorded of the model the spec names.</summary>
    private ModelImported? ImportInUse() => _chain.Imports.Recorded.FirstOrDefault(r =>
        _spec.Transfer!.Model == TransferSpec.FinalModel || r.Import.ModelHash == _spec.Transfer.Model);

    private void ObtainDue(TransferSpec transfer, bool retry)
    {
        if (_obtaining || (retry && _importWait-- > 0) || (!retry && _importWait > 0))
        {
            return;
        }
        _obtaining = true;
        _transferDetail ??= $"obtaining a proof of {transfer.Source}'s model";
        Emit(new ObtainImport(transfer));
    }

    private void OnImportObtained(ImportObtained obtained)
    {
        _obtaining = false;
        _importWait = ImportWaitRetries;
        if (ImportInUse() is null)
        {
            _transferDetail = obtained.Problem is { } problem
                ? $"waiting for the import from {_spec.Transfer!.Source}: {problem}"
                : $"import request submitted; waiting for every replica of the chain to verify it";
            Note(obtained.Problem is null ? NoteLevel.Information : NoteLevel.Warning, _transferDetail);
        }
        Advance();
    }

    /// <summary>The imported model's bytes, if <paramref name="arrived"/> is them; true when it was taken here.</summary>
    private bool TakeImportedModel(BlobArrived arrived)
    {
        if (_spec.Transfer is null || _transferReady || arrived.Kind != BlobKind.Model || ImportInUse() is not { } import
            || import.Import.ModelHash != arrived.Hash || _importedModel is not null)
        {
            return false;
        }
        if (arrived.Bytes.Length % sizeof(float) != 0
            || ModelDigest.Hex(MemoryMarshal.Cast<byte, float>(arrived.Bytes)) != arrived.Hash)
        {
            Note(NoteLevel.Warning, $"'{arrived.From}' sent bytes for the imported model {arrived.Hash[..12]} that do not hash to it; refused");
            return true;
        }
        if (arrived.From != _self)
        {
            Emit(new StoreBlob(BlobKind.Model, arrived.Hash, arrived.Bytes));
        }
        _importedModel = MemoryMarshal.Cast<byte, float>(arrived.Bytes).ToArray();
        _wanted.Remove((BlobKind.Model, arrived.Hash));
        Advance();
        return true;
    }

    private void OnTransferApplied(TransferApplied applied)
    {
        if (_transferReady)
        {
            return;
        }
        if (applied.Initial is not { } initial)
        {
            EndRefused($"the imported model cannot start this task: {applied.Problem}");
            return;
        }
        _transferReady = true;
        _transferDetail = null;
        if (_chain.LastFinalized is null)
        {
            _initialHash = ModelDigest.Hex(initial);
            (_global, _globalHash) = (initial, _initialHash);
            // Kept like a final round's model: a site that restarts before round 1 closes fetches it from a peer.
            Emit(new StoreBlob(BlobKind.Model, _initialHash, ToBytes(initial)));
            Note(NoteLevel.Information, $"round 1 starts from model {_initialHash[..12]}, with {ImportInUse()!.Import.Layers.Count} layers imported " +
                $"from {ImportInUse()!.Import.SourceChainId}");
        }
        Advance();
    }

    /// <summary>The import cannot be used: the task ends on every site with the reason (first cancellation wins).</summary>
    private void EndRefused(string reason)
    {
        _transferDetail = reason;
        if (_refusalSent || _chain.IsOver)
        {
            return;
        }
        _refusalSent = true;
        Note(NoteLevel.Warning, $"the import from {_spec.Transfer!.Source} failed: {reason}");
        Emit(new SubmitToChain(new CancellationRequest(_self, $"the import from {_spec.Transfer.Source} failed: {reason}")));
    }
}
