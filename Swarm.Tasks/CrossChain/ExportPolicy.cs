using Swarm.Consensus.Blocks;

namespace Swarm.Tasks.CrossChain;

/// <summary>
/// A chain's export grants as its committed blocks decided them, rebuilt by applying the executed requests in
/// chain order (pure and deterministic like <see cref="TaskChain"/>, so the exporting replicas and every importer
/// that replays the same blocks reach the same policy). A grant is in force while at least
/// <see cref="TaskChainTerms.VotesToFinalize"/> sites' latest statements on it say "grant" with one scope; it is
/// withdrawn at the first height where that stops being true. Nothing is exported without a grant.
/// </summary>
public sealed class ExportPolicy(TaskChainTerms terms, ISignatureVerifier verifier)
{
    private readonly Dictionary<string, GrantState> _grants = new(StringComparer.Ordinal);

    /// <summary>The height of the last block applied.</summary>
    public long Height { get; private set; }

    /// <summary>Applies one executed request of the block at <paramref name="height"/>; requests that are not export
    /// statements are none of its business (null). A statement that is malformed, names another site than its
    /// client, or whose signature does not verify against the site's genesis key is ignored, with the reason.</summary>
    public string? Apply(long height, ClientRequest request)
    {
        Height = Math.Max(Height, height);
        if (!ExportPolicyRequest.Carries(request.Payload))
        {
            return null;
        }
        if (ExportPolicyRequest.TryDecode(request.Payload, out var body, out var signature, out var problem) is not { } statement)
        {
            return problem;
        }
        var index = terms.IndexOf(statement.Site);
        if (index < 0 || statement.Site != request.ClientId)
        {
            return $"export statement names site '{statement.Site}', which is not its client or not a participant";
        }
        if (!verifier.Verify(terms.PublicKeys[index], SignedPayload.SigningBytes(terms.ChainId, body), signature))
        {
            return $"bad signature on the export statement of site '{statement.Site}'";
        }
        if (!_grants.TryGetValue(statement.GrantId, out var grant))
        {
            _grants[statement.GrantId] = grant = new GrantState();
        }
        grant.Statements[statement.Site] = statement;
        var inForce = InForce(grant) is not null;
        if (inForce && !grant.InForce)
        {
            grant.GrantedAt = height;
            grant.WithdrawnAt = null;
        }
        else if (!inForce && grant.InForce)
        {
            grant.WithdrawnAt = height;
        }
        grant.InForce = inForce;
        return null;
    }

    /// <summary>Whether grant <paramref name="grantId"/> lets <paramref name="importerChainId"/> take
    /// <paramref name="layers"/> of model <paramref name="modelHash"/> now (at <see cref="Height"/>); a refusal
    /// names the grant and why.</summary>
    public Verdict Permits(string grantId, string importerChainId, string modelHash, IReadOnlyList<string> layers)
    {
        if (!_grants.TryGetValue(grantId, out var grant))
        {
            return Verdict.Reject($"no export permission: chain {terms.ChainId} has no grant '{grantId}' up to height {Height} (nothing is exported by default)");
        }
        if (InForce(grant) is not { } scope)
        {
            return grant.WithdrawnAt is { } withdrawn
                ? Verdict.Reject($"stale: export grant '{grantId}' of chain {terms.ChainId} was withdrawn at height {withdrawn}, " +
                    $"which this importer has seen (it now knows the chain up to height {Height})")
                : Verdict.Reject($"no export permission: grant '{grantId}' has {Granting(grant)} site approvals with one scope, " +
                    $"{terms.VotesToFinalize} are needed");
        }
        if (!scope.CoversChain(importerChainId))
        {
            return Verdict.Reject($"no export permission: grant '{grantId}' is for chain {scope.ImporterChainId}, not {importerChainId}");
        }
        if (!scope.CoversModel(modelHash))
        {
            return Verdict.Reject($"no export permission: grant '{grantId}' covers model {scope.ModelHash}, not {modelHash}");
        }
        var outside = scope.LayersOutside(layers);
        return outside.Count == 0
            ? Verdict.Accept
            : Verdict.Reject($"no export permission: grant '{grantId}' does not cover layers [{string.Join(", ", outside)}] (it grants [{string.Join(", ", scope.Layers)}])");
    }

    /// <summary>The scope in force for a grant: the one a quorum of sites last stated "grant" for; null when none.</summary>
    private ExportScope? InForce(GrantState grant) =>
        grant.Statements.Values.Where(s => s.Grant).GroupBy(s => s.Scope, ScopeComparer.Instance)
            .FirstOrDefault(g => g.Count() >= terms.VotesToFinalize)?.Key;

    private static int Granting(GrantState grant) =>
        grant.Statements.Values.Where(s => s.Grant).GroupBy(s => s.Scope, ScopeComparer.Instance).Select(g => g.Count()).DefaultIfEmpty(0).Max();

    private sealed class GrantState
    {
        public Dictionary<string, ExportPolicyRequest> Statements { get; } = new(StringComparer.Ordinal);
        public bool InForce { get; set; }
        public long GrantedAt { get; set; }
        public long? WithdrawnAt { get; set; }
    }

    private sealed class ScopeComparer : IEqualityComparer<ExportScope>
    {
        public static readonly ScopeComparer Instance = new();

        public bool Equals(ExportScope? x, ExportScope? y) => x is not null && y is not null && x.SameAs(y);

        public int GetHashCode(ExportScope obj) => HashCode.Combine(obj.ImporterChainId, obj.ModelHash, obj.Layers.Count);
    }
}
