using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Tasks.CrossChain;

/// <summary>A site's statement on its own chain about export grant <paramref name="GrantId"/>: it grants the
/// <paramref name="Scope"/> (<paramref name="Grant"/> true) or withdraws its grant (false). It travels as a client
/// request of the site, like a <see cref="TaskRequest"/>: a canonical body under its own domain tag and the site's
/// Ed25519 signature over (chain id, body). A grant is in force while a quorum of the chain's sites
/// (<see cref="TaskChainTerms.VotesToFinalize"/>) last said "grant" with the same scope (<see cref="ExportPolicy"/>):
/// no site alone can let the chain's models out, and the default is that nothing is exported.</summary>
public sealed record ExportPolicyRequest(string Site, string GrantId, bool Grant, ExportScope Scope)
{
    public const string Domain = "swarm.export-policy.v1";
    public const int GrantIdBytesMax = 128;
    public const int LayersMax = 256;
    private const int FieldBytesMax = 256;

    public byte[] EncodeBody()
    {
        var writer = new CanonicalWriter(128);
        writer.WriteString(Domain).WriteString(Site).WriteString(GrantId).WriteBool(Grant)
            .WriteString(Scope.ImporterChainId).WriteString(Scope.ModelHash).WriteInt32(Scope.Layers.Count);
        foreach (var layer in Scope.Layers)
        {
            writer.WriteString(layer);
        }
        return writer.ToArray();
    }

    /// <summary>The request payload: the body, then the site's signature over (chain id, body).</summary>
    public byte[] ToPayload(string chainId, Func<byte[], byte[]> sign)
    {
        return SignedPayload.Seal(chainId, EncodeBody(), sign);
    }

    /// <summary>This statement as the site's signed client request on chain <paramref name="chainId"/>.</summary>
    public ClientRequest ToRequest(string chainId, long requestId, Func<byte[], byte[]> sign) =>
        new ClientRequest(Site, requestId, ToPayload(chainId, sign)).SignedWith(chainId, sign);

    /// <summary>Whether the payload carries this domain tag (cheap: what a chain uses to route a request).</summary>
    public static bool Carries(byte[] payload) => SignedPayload.Carries(payload, Domain);

    /// <summary>Decodes a payload into the statement, its body and signature; null with the reason when malformed.</summary>
    public static ExportPolicyRequest? TryDecode(byte[] payload, out byte[] body, out byte[] signature, out string problem)
    {
        body = [];
        signature = [];
        try
        {
            if (!SignedPayload.Open(payload, Domain, out body, out signature, out var reader))
            {
                problem = "not an export policy request";
                return null;
            }
            var site = reader.ReadString(FieldBytesMax);
            var grantId = reader.ReadString(GrantIdBytesMax);
            var grant = reader.ReadBool();
            var importer = reader.ReadString(FieldBytesMax);
            var model = reader.ReadString(FieldBytesMax);
            var count = reader.ReadCount(LayersMax, "export layers");
            var layers = new string[count];
            for (var i = 0; i < count; i++)
            {
                layers[i] = reader.ReadString(FieldBytesMax);
            }
            reader.ExpectEnd();
            problem = "";
            return new ExportPolicyRequest(site, grantId, grant, new ExportScope(importer, model, layers));
        }
        catch (CanonicalFormatException e)
        {
            problem = $"malformed export policy request: {e.Message}";
            return null;
        }
    }
}
