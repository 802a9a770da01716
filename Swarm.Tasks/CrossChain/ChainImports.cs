using Swarm.Consensus.Blocks;

namespace Swarm.Tasks.CrossChain;

/// <summary>An import the importing chain recorded: which of its sites asked, what the proof established, and the
/// block that recorded it.</summary>
public sealed record ModelImported(string Site, VerifiedImport Import, long Height) : TaskChainEvent;

/// <summary>
/// The importing chain's side of cross-chain transfer, part of its replicated state: the trusted views of the source
/// chains (<see cref="TrustedSourceStore"/>) and the imports recorded. Every replica applies the committed import
/// requests in chain order, verifying each proof against the same trusted views, so every replica records the same
/// imports and refuses the same proofs with the same reasons.
/// </summary>
public sealed class ChainImports(TaskChainTerms terms, ISignatureVerifier verifier)
{
    private readonly List<ModelImported> _recorded = [];
    private readonly List<RequestIgnored> _refused = [];

    public TrustedSourceStore Sources { get; } = new(verifier);

    public IReadOnlyList<ModelImported> Recorded => _recorded;

    /// <summary>The import requests refused, in chain order, each with its reason (what the task's status shows).</summary>
    public IReadOnlyList<RequestIgnored> Refused => _refused;

    /// <summary>Applies a committed import request: the recorded import, or why it was refused.</summary>
    public TaskChainEvent Apply(long height, ClientRequest request)
    {
        var outcome = Decide(height, request);
        if (outcome is RequestIgnored refused)
        {
            _refused.Add(refused);
        }
        return outcome;
    }

    private TaskChainEvent Decide(long height, ClientRequest request)
    {
        if (ModelImportRequest.TryDecode(request.Payload, out var body, out var signature, out var problem) is not { } import)
        {
            return new RequestIgnored(request.ClientId, problem);
        }
        var index = terms.IndexOf(import.Site);
        if (index < 0 || import.Site != request.ClientId)
        {
            return new RequestIgnored(request.ClientId, $"import names site '{import.Site}', which is not the client or not a participant");
        }
        if (!verifier.Verify(terms.PublicKeys[index], SignedPayload.SigningBytes(terms.ChainId, body), signature))
        {
            return new RequestIgnored(request.ClientId, $"bad signature on the model import of site '{import.Site}'");
        }
        if (terms.TransferSource is { } expected && import.Source != expected)
        {
            return new RequestIgnored(request.ClientId, $"import refused: wrong genesis: the request names source {import.Source}, " +
                $"the task's spec imports from {expected}");
        }
        if (CrossChainProof.TryDecode(import.Proof, out var proofProblem) is not { } proof)
        {
            return new RequestIgnored(request.ClientId, $"import refused: {proofProblem}");
        }
        var verdict = Sources.Verify(proof, import.Source, terms.ChainId, import.Layers);
        if (!verdict.Ok)
        {
            return new RequestIgnored(request.ClientId, $"import refused: {verdict.Reason}");
        }
        var recorded = new ModelImported(import.Site, verdict.Import!, height);
        _recorded.Add(recorded);
        return recorded;
    }
}
