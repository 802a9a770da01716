using Microsoft.Extensions.Logging;
using Akka.Actor;
using Swarm.Actors.Training;
using Swarm.Consensus.Blocks;
using Swarm.Tasks;
using Swarm.Tasks.CrossChain;

namespace Swarm.Actors.Tasks;

/// <summary>
/// The peer's part in cross-chain transfer (docs/cross-chain.md, "Imports on nodes"). As a site of an exporting
/// chain it states export grants its operator asks for and answers export requests: it checks, on its own ledger,
/// that the model is final and that a grant in force lets it out to the requesting chain (whose spec names the
/// requester as a participant), builds the proof from its ledger (<see cref="CrossChainProofBuilder"/>) and serves
/// the proof and the model to the requester by blob transfer; the answer carries hashes only. As a site of an
/// importing task it asks every participant's node (itself first) for an export, fetches the proof and the model
/// from the first node that offers them, checks the proof offline against the source anchor its spec names (a node
/// that lies is not believed, and the next offer is tried), and submits the import request, which every replica of
/// the chain verifies again when it executes it.
/// </summary>
public sealed partial class TaskPeerActor
{
    private readonly List<CertifiedBlock> _ledger = [];
    private readonly Dictionary<string, string> _exportRefusals = new(StringComparer.Ordinal);
    private readonly Queue<ExportOffer> _offers = new();
    private int _importAttempt;
    private bool _importOpen;
    private bool _importBusy;

    /// <summary>The cross-chain messages; false for anything else.</summary>
    private bool HandleCrossChain(object message, IActorRef sender)
    {
        switch (message)
        {
            case ExportRequest request:
                OnExportRequest(request);
                return true;
            case GrantExportRequest grant:
                OnGrant(grant, sender);
                return true;
            case ExportOffer offer when _importOpen && offer.SourceChainId == _context.Spec.Transfer?.Source:
                _offers.Enqueue(offer);
                TryNextOffer();
                return true;
            case ExportRefused refused when _importOpen && refused.SourceChainId == _context.Spec.Transfer?.Source:
                _exportRefusals[refused.Holder] = refused.Reason;
                if (_exportRefusals.Count >= _context.Terms.Sites.Count && !_importBusy && _offers.Count == 0)
                {
                    CloseImport(RefusalSummary());
                }
                return true;
            case ExportOffer or ExportRefused:
                return true; // an answer to an earlier attempt
            case ImportFetched fetched when fetched.Attempt == _importAttempt && _importOpen:
                OnImportFetched(fetched);
                return true;
            case ImportFetched:
                return true;
            case ImportTimedOut timedOut when timedOut.Attempt == _importAttempt && _importOpen && !_importBusy:
                CloseImport(_exportRefusals.Count > 0 ? RefusalSummary()
                    : $"no node holding chain {_context.Spec.Transfer!.Source} answered within {_context.ImportTimeout.TotalSeconds:0} s");
                return true;
            case ImportTimedOut:
                return true;
            case TransferApplied applied:
                Step(applied);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The operator's export statement: submitted to this task's chain as this site's signed request.</summary>
    private void OnGrant(GrantExportRequest grant, IActorRef sender)
    {
        var chainId = _context.Genesis.ChainId;
        var genesis = _context.Genesis.Hash.ToHex();
        var statement = new ExportPolicyRequest(Self_, grant.GrantId, grant.Grant, grant.Scope);
        SubmitPayload(statement.ToPayload(chainId, bytes => _context.Signer.Sign(bytes)));
        Log.LogInformation("task {Task} site {Site}: export {What} '{Grant}' ({Scope}) submitted", TaskId, Self_,
            grant.Grant ? "grant" : "withdrawal", grant.GrantId, grant.Scope.Describe());
        sender.Tell(new ExportGranted(TaskId, chainId, genesis, null), Self);
    }

    private void OnExportRequest(ExportRequest request)
    {
        var reply = _context.PeerOfTask?.Invoke(request.Requester, request.ImporterTaskId);
        if (reply is null)
        {
            return;
        }
        if (ExportProblem(request, out var offer) is { } problem)
        {
            Log.LogInformation("task {Task} site {Site}: export to '{Requester}' refused: {Problem}", TaskId, Self_, request.Requester, problem);
            reply.Tell(new ExportRefused(Self_, request.ImporterTaskId, request.SourceChainId, problem), Self);
            return;
        }
        reply.Tell(offer!, Self);
    }

    /// <summary>Why this site does not export what <paramref name="request"/> asks; null with the offer when it does.</summary>
    private string? ExportProblem(ExportRequest request, out ExportOffer? offer)
    {
        offer = null;
        var chainId = _context.Genesis.ChainId;
        if (request.SourceChainId != chainId)
        {
            return $"node '{Self_}' holds task {TaskId} as chain {chainId}, not {request.SourceChainId}";
        }
        if (TaskSpecCodec.TryDecode(request.ImporterSpecBytes, out var specProblem) is not { } importer)
        {
            return $"the importing task's spec does not decode: {specProblem}";
        }
        if (importer.Id != request.ImporterTaskId || !importer.Participants.Contains(request.Requester))
        {
            return $"'{request.Requester}' is not a participant of the importing task '{importer.Id}' it names";
        }
        var importerChain = TaskGenesis.ChainId(importer, request.ImporterSpecBytes);
        var chain = _site!.Chain;
        var model = request.Model == TransferSpec.FinalModel ? chain.LastFinalized?.ModelHash
            : chain.Finalized.FirstOrDefault(f => f.ModelHash == request.Model)?.ModelHash;
        if (model is null)
        {
            return request.Model == TransferSpec.FinalModel
                ? $"chain {chainId} has finalized no round yet (height {chain.Height})"
                : $"model {request.Model} is not final on chain {chainId} (up to height {chain.Height})";
        }
        var permitted = PolicyOfLedger().Permits(request.GrantId, importerChain, model, request.Layers);
        if (!permitted.Ok)
        {
            return permitted.Reason;
        }
        if (_context.Blobs.Get(BlobKind.Model, model) is null)
        {
            return $"node '{Self_}' does not hold model {model[..12]} of chain {chainId}";
        }
        byte[] proof;
        try
        {
            proof = CrossChainProofBuilder.Build(_context.Genesis, TaskSpecCodec.Encode(_context.Spec), _ledger, model, request.GrantId,
                _context.Verifier).Encode();
        }
        catch (ArgumentException e)
        {
            return $"cannot build a proof from node '{Self_}''s ledger: {e.Message}";
        }
        var proofHash = RoundAggregate.HashOf(proof);
        _context.Blobs.Put(BlobKind.Proof, proofHash, proof);
        _context.ServeExport?.Invoke(request.Requester, [proofHash, model]);
        offer = new ExportOffer(Self_, request.ImporterTaskId, chainId, proofHash, model);
        return null;
    }

    /// <summary>The chain's export grants as this site's ledger decided them, replayed with the replica's execution
    /// rule (a client's request runs only above its last id).</summary>
    private ExportPolicy PolicyOfLedger()
    {
        var policy = new ExportPolicy(_context.Terms, _context.Verifier);
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var block in _ledger)
        {
            foreach (var request in block.Block.Requests)
            {
                if (request.RunsAfter(last))
                {
                    last[request.ClientId] = request.RequestId;
                    policy.Apply(block.Block.Height, request);
                }
            }
        }
        return policy;
    }

    /// <summary>The site asks for its import: every participant's node is asked for an export, this one first.</summary>
    private void Obtain(ObtainImport obtain)
    {
        if (_context.Manager is not { } manager)
        {
            Step(new ImportObtained("this node cannot ask other nodes for an export (no task managers known)"));
            return;
        }
        _importAttempt++;
        _importOpen = true;
        _importBusy = false;
        _offers.Clear();
        _exportRefusals.Clear();
        var request = new ExportRequest(Self_, TaskId, TaskSpecCodec.Encode(_context.Spec), obtain.Transfer.Source, obtain.Transfer.Model,
            obtain.Transfer.Grant, _context.ImportLayers);
        foreach (var site in _context.Terms.Sites.OrderBy(s => s == Self_ ? 0 : 1))
        {
            manager(site).Tell(request, Self);
        }
        Timers.StartSingleTimer(("import", _importAttempt), new ImportTimedOut(_importAttempt), _context.ImportTimeout);
    }

    private void TryNextOffer()
    {
        if (_importBusy || !_offers.TryDequeue(out var offer))
        {
            return;
        }
        _importBusy = true;
        var (attempt, self, taskId, fetcher, stopping) = (_importAttempt, Self_, TaskId, _context.Fetcher, _stopping.Token);
        var local = offer.Holder == Self_ ? _context.LocalTaskBlobs(TransferSpec.TaskIdOf(offer.SourceChainId) ?? "") : null;
        Task.Run(async () =>
        {
            async Task<(byte[]? Bytes, string? Error)> Get(BlobKind kind, string hash)
            {
                if (local is not null)
                {
                    var bytes = local.Get(kind, hash);
                    return bytes is not null && RoundAggregate.HashOf(bytes) == hash ? (bytes, null) : (null, $"this node's copy of {kind} {hash[..12]} is missing or damaged");
                }
                var fetched = await fetcher.FetchAsync(taskId, offer.Holder, kind, hash, stopping).ConfigureAwait(false);
                return (fetched.Bytes, fetched.Error);
            }
            var proof = await Get(BlobKind.Proof, offer.ProofHash).ConfigureAwait(false);
            var model = proof.Bytes is null ? (null, null) : await Get(BlobKind.Model, offer.ModelHash).ConfigureAwait(false);
            return new ImportFetched(attempt, offer, proof.Bytes, model.Bytes, proof.Error ?? model.Error);
        }).PipeTo(Self, failure: e => new ImportFetched(attempt, offer, null, null, e.Message));
    }

    /// <summary>The proof and the model from an offer: checked offline before the import request is submitted, so that
    /// a node that lies costs this site a retry, never the task.</summary>
    private void OnImportFetched(ImportFetched fetched)
    {
        _importBusy = false;
        var holder = fetched.Offer.Holder;
        if (fetched.Proof is not { } proofBytes || fetched.Model is not { } model)
        {
            _exportRefusals[holder] = $"fetching the proof and model from '{holder}' failed: {fetched.Error}";
        }
        else if (Verify(proofBytes, fetched.Offer, out var verifyMs) is { } problem)
        {
            _exportRefusals[holder] = $"the proof from '{holder}' does not verify: {problem}";
            Log.LogWarning("task {Task} site {Site}: {Problem}", TaskId, Self_, _exportRefusals[holder]);
        }
        else
        {
            _context.Blobs.Put(BlobKind.Model, fetched.Offer.ModelHash, model);
            var anchor = _context.Terms.TransferSource!;
            var import = new ModelImportRequest(Self_, anchor, _context.ImportLayers, proofBytes);
            SubmitPayload(SignedPayload.Seal(_context.Genesis.ChainId, import.EncodeBody(), bytes => _context.Signer.Sign(bytes)));
            Log.LogInformation("task {Task} site {Site}: import of model {Model} from {Source} submitted (proof of {Bytes} bytes from '{Holder}', verified offline in {VerifyMs:F1} ms)",
                TaskId, Self_, fetched.Offer.ModelHash[..12], anchor.ChainId, proofBytes.Length, holder, verifyMs);
            _importOpen = false;
            Step(new ImportObtained(null));
            return;
        }
        if (_offers.Count > 0)
        {
            TryNextOffer();
        }
        else if (_exportRefusals.Count >= _context.Terms.Sites.Count)
        {
            CloseImport(RefusalSummary());
        }
    }

    /// <summary>Why the offered proof does not hold, or null; <paramref name="verifyMs"/> is the time of the offline
    /// check (decoding the proof and replaying the source chain), reported in the log.</summary>
    private string? Verify(byte[] proofBytes, ExportOffer offer, out double verifyMs)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var problem = VerifyProof(proofBytes, offer);
        verifyMs = clock.Elapsed.TotalMilliseconds;
        return problem;
    }

    private string? VerifyProof(byte[] proofBytes, ExportOffer offer)
    {
        if (CrossChainProof.TryDecode(proofBytes, out var problem) is not { } proof)
        {
            return problem;
        }
        if (proof.ModelHash != offer.ModelHash)
        {
            return $"it proves model {proof.ModelHash[..Math.Min(12, proof.ModelHash.Length)]}, the offer names {offer.ModelHash[..12]}";
        }
        if (_context.Terms.TransferSource is not { } anchor)
        {
            return "this task's spec names no source anchor";
        }
        // A fresh store: the chain's own trusted views move only with committed requests.
        var verdict = new TrustedSourceStore(_context.Verifier).Verify(proof, anchor, _context.Genesis.ChainId, _context.ImportLayers);
        return verdict.Ok ? null : verdict.Reason;
    }

    private void CloseImport(string problem)
    {
        _importOpen = false;
        Timers.Cancel(("import", _importAttempt));
        Step(new ImportObtained(problem));
    }

    /// <summary>What the nodes answered, the most telling first (a refusal of a member over "not a member").</summary>
    private string RefusalSummary() => string.Join("; ", _exportRefusals
        .OrderBy(r => r.Value.Contains("not a member", StringComparison.Ordinal) || r.Value.Contains("takes no part", StringComparison.Ordinal) ? 1 : 0)
        .Select(r => $"{r.Key}: {r.Value}"));

    /// <summary>Round 1's start from the recorded import: built by the trainer, which also keeps the penalty's anchor.</summary>
    private void Apply(ApplyTransfer apply)
    {
        var source = _site!.Chain.Imports.Sources.Find(apply.Import.Import.SourceChainId)?.Spec;
        var layout = _context.SourceLayout;
        _trainer.Tell(new TransferIns(apply.Transfer, apply.Import.Import.Layers, apply.Source, apply.Initial,
            () => source is null ? (null, $"the chain holds no spec of {apply.Import.Import.SourceChainId}")
                : layout is null ? (null, "this node cannot build a source model's layout")
                : layout(source)), Self);
    }

    private sealed record ImportFetched(int Attempt, ExportOffer Offer, byte[]? Proof, byte[]? Model, string? Error);

    private sealed record ImportTimedOut(int Attempt);
}
