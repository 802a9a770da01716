using Swarm.Actors.Consensus;
using Swarm.Tasks;
using Swarm.Tasks.CrossChain;

namespace Swarm.Tests.Tasks.CrossChain;

/// <summary>The exporting chain's policy: nothing leaves without a grant that a quorum of its sites stated with one
/// scope; a statement in another site's name or with a bad signature does not count; a withdrawal ends the grant.</summary>
public sealed class ExportPolicyTests : IDisposable
{
    private const string ChainId = "task/source/0";
    private static readonly string[] Sites = ["a", "b", "c", "d"];
    private readonly Ed25519Signer[] _signers = [.. Sites.Select(_ => Ed25519Signer.Generate())];
    private readonly Ed25519SignatureScheme _verifier = new();
    private static readonly ExportScope Scope = new("task/importer/1", ExportScope.AnyModel, ["conv"]);
    private long _id;

    private ExportPolicy NewPolicy() =>
        new(new TaskChainTerms(ChainId, Sites, [.. _signers.Select(s => s.PublicKey)], 2, 4, F: 1), _verifier);

    private Swarm.Consensus.Blocks.ClientRequest Statement(int signer, string site, bool grant = true, ExportScope? scope = null) =>
        new ExportPolicyRequest(site, "g", grant, scope ?? Scope).ToRequest(ChainId, ++_id, b => _signers[signer].Sign(b)) with { ClientId = Sites[signer] };

    [Fact]
    public void Three_sites_grant_and_one_withdrawal_ends_it()
    {
        var policy = NewPolicy();
        Assert.Contains("has no grant 'g'", policy.Permits("g", "task/importer/1", "m", ["conv1.weight"]).Reason);
        Assert.Null(policy.Apply(1, Statement(0, "a")));
        Assert.Null(policy.Apply(1, Statement(1, "b")));
        Assert.Contains("2 site approvals", policy.Permits("g", "task/importer/1", "m", ["conv1.weight"]).Reason);
        Assert.Null(policy.Apply(2, Statement(2, "c", scope: Scope with { Layers = ["*"] })));
        Assert.False(policy.Permits("g", "task/importer/1", "m", ["conv1.weight"]).Ok);
        Assert.Null(policy.Apply(3, Statement(2, "c")));
        Assert.True(policy.Permits("g", "task/importer/1", "m", ["conv1.weight"]).Ok);
        Assert.Null(policy.Apply(7, Statement(0, "a", grant: false)));
        Assert.Contains("withdrawn at height 7", policy.Permits("g", "task/importer/1", "m", ["conv1.weight"]).Reason);
    }

    [Fact]
    public void A_statement_in_another_sites_name_or_with_a_bad_signature_does_not_count()
    {
        var policy = NewPolicy();
        Assert.Null(policy.Apply(1, Statement(0, "a")));
        Assert.Null(policy.Apply(1, Statement(1, "b")));
        // Site d signs a statement naming c: refused, c's approval is not counted.
        Assert.Contains("names site 'c', which is not its client", policy.Apply(2, Statement(3, "c")));
        // Site c's client request, but the inner signature is d's.
        var forged = new ExportPolicyRequest("c", "g", true, Scope).ToRequest(ChainId, ++_id, b => _signers[3].Sign(b)) with { ClientId = "c" };
        Assert.Contains("bad signature on the export statement of site 'c'", policy.Apply(2, forged));
        Assert.Contains("2 site approvals", policy.Permits("g", "task/importer/1", "m", ["conv1.weight"]).Reason);
    }

    public void Dispose()
    {
        foreach (var signer in _signers)
        {
            signer.Dispose();
        }
    }
}
