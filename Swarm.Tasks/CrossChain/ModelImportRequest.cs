using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Tasks.CrossChain;

/// <summary>A site of the importing task asks its chain to record the import of <paramref name="Layers"/> of a model
/// from the source chain <paramref name="Source"/>, with the proof. Like a <see cref="TaskRequest"/> it is the site's
/// client request: a canonical body under its own domain tag, signed by the site over (chain id, body). Every
/// replica of the importing chain verifies the proof when it executes the request (<see cref="ChainImports"/>), so
/// the chain records the import only if the proof holds for all of them.</summary>
public sealed record ModelImportRequest(string Site, SourceAnchor Source, IReadOnlyList<string> Layers, byte[] Proof)
{
    public const string Domain = "swarm.model-import.v1";
    private const int FieldBytesMax = 256;

    public byte[] EncodeBody()
    {
        var writer = new CanonicalWriter(Proof.Length + 256);
        writer.WriteString(Domain).WriteString(Site).WriteString(Source.ChainId).WriteDigest(Source.GenesisHash).WriteInt32(Layers.Count);
        foreach (var layer in Layers)
        {
            writer.WriteString(layer);
        }
        writer.WriteBytes(Proof);
        return writer.ToArray();
    }

    /// <summary>The signed client request; <paramref name="clientId"/> defaults to <see cref="Site"/> (another value
    /// only makes sense for showing that the chain refuses a request whose body names someone else).</summary>
    public ClientRequest ToRequest(string chainId, long requestId, Func<byte[], byte[]> sign, string? clientId = null)
    {
        var payload = SignedPayload.Seal(chainId, EncodeBody(), sign);
        return new ClientRequest(clientId ?? Site, requestId, payload).SignedWith(chainId, sign);
    }

    public static bool Carries(byte[] payload) => SignedPayload.Carries(payload, Domain);

    public static ModelImportRequest? TryDecode(byte[] payload, out byte[] body, out byte[] signature, out string problem)
    {
        body = [];
        signature = [];
        try
        {
            if (!SignedPayload.Open(payload, Domain, out body, out signature, out var reader))
            {
                problem = "not a model import request";
                return null;
            }
            var site = reader.ReadString(FieldBytesMax);
            var source = new SourceAnchor(reader.ReadString(ClientRequest.ClientIdBytesMax), reader.ReadDigest());
            var count = reader.ReadCount(ExportPolicyRequest.LayersMax, "import layers");
            var layers = new string[count];
            for (var i = 0; i < count; i++)
            {
                layers[i] = reader.ReadString(FieldBytesMax);
            }
            var proof = reader.ReadBytes(ClientRequest.PayloadBytesMax);
            reader.ExpectEnd();
            problem = "";
            return new ModelImportRequest(site, source, layers, proof);
        }
        catch (CanonicalFormatException e)
        {
            problem = $"malformed model import request: {e.Message}";
            return null;
        }
    }
}
