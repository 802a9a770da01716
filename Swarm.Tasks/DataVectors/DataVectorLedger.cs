using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Tasks.DataVectors;

/// <summary>
/// A data-vector task's chain as a node's replica commits it: each committed PBFT client request is a
/// <see cref="DataVectorRequest"/> in a signed envelope (<see cref="SignedPayload"/>, domain
/// <c>swarm.data-vector-request.v1</c>), applied to <see cref="DataVectorChain"/> only when the site it names is the
/// client that submitted it and the site's genesis key signed it, so no replica can speak for another site. Pure:
/// the same blocks give the same events on every replica.
/// </summary>
public sealed class DataVectorLedger
{
    private const string Domain = "swarm.data-vector-request.v1";
    private const int HashBytesMax = 128;
    private const int SiteBytesMax = 256;

    private readonly IReadOnlyList<byte[]> _keys;
    private readonly ISignatureVerifier _verifier;
    private readonly DataVectorTaskTerms _terms;
    private readonly Dictionary<string, long> _lastRequest = new(StringComparer.Ordinal);

    /// <param name="terms">The task's terms (sites in replica order).</param>
    /// <param name="publicKeys">Each site's genesis signing key, in the order of <see cref="DataVectorTaskTerms.Sites"/>.</param>
    /// <param name="verifier">Checks the sites' signatures.</param>
    public DataVectorLedger(DataVectorTaskTerms terms, IReadOnlyList<byte[]> publicKeys, ISignatureVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(publicKeys);
        if (publicKeys.Count != terms.Sites.Count)
        {
            throw new ArgumentException($"{publicKeys.Count} keys for {terms.Sites.Count} sites", nameof(publicKeys));
        }
        _terms = terms;
        _keys = publicKeys;
        _verifier = verifier;
        Chain = new DataVectorChain(terms);
    }

    public DataVectorChain Chain { get; }

    public long Height { get; private set; }

    /// <summary>The id of the last request of <paramref name="clientId"/> applied; -1 when none.</summary>
    public long LastRequestOf(string clientId) => _lastRequest.GetValueOrDefault(clientId, -1);

    /// <summary>Rebuilds the ledger from committed blocks (a journal), executing each request as the replica did
    /// (a client's request runs only above its last one); returns the events in order.</summary>
    public IReadOnlyList<DataVectorEvent> Replay(IEnumerable<CertifiedBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var events = new List<DataVectorEvent>();
        foreach (var certified in blocks)
        {
            var runs = new List<ClientRequest>();
            foreach (var request in certified.Block.Requests)
            {
                if (request.RunsAfter(_lastRequest))
                {
                    _lastRequest[request.ClientId] = request.RequestId;
                    runs.Add(request);
                }
            }
            events.AddRange(Apply(certified.Block.Height, runs));
        }
        return events;
    }

    /// <summary>Applies the requests a committed block executed, in order.</summary>
    public IReadOnlyList<DataVectorEvent> Apply(long height, IReadOnlyList<ClientRequest> executed)
    {
        ArgumentNullException.ThrowIfNull(executed);
        Height = Math.Max(Height, height);
        var events = new List<DataVectorEvent>();
        foreach (var request in executed)
        {
            _lastRequest[request.ClientId] = request.RequestId;
            if (Open(request, height, out var ignored) is { } decoded)
            {
                events.AddRange(Chain.Apply(decoded, height));
            }
            else
            {
                events.Add(ignored!);
            }
        }
        return events;
    }

    private DataVectorRequest? Open(ClientRequest request, long height, out DataVectorRequestIgnored? ignored)
    {
        ignored = null;
        if (TryDecode(request.Payload, out var body, out var signature, out var problem) is not { } decoded)
        {
            ignored = new DataVectorRequestIgnored(request.ClientId, problem, height);
            return null;
        }
        var index = _terms.Sites.ToList().IndexOf(decoded.Site);
        if (index < 0 || decoded.Site != request.ClientId)
        {
            ignored = new DataVectorRequestIgnored(request.ClientId,
                $"request names site '{decoded.Site}', which is not the client or not a participant", height);
            return null;
        }
        if (!_verifier.Verify(_keys[index], SignedPayload.SigningBytes(_terms.ChainId, body), signature))
        {
            ignored = new DataVectorRequestIgnored(request.ClientId, $"bad signature on a {decoded.GetType().Name} of site '{decoded.Site}'", height);
            return null;
        }
        return decoded;
    }

    /// <summary>The payload of <paramref name="request"/> on chain <paramref name="chainId"/>, signed by <paramref name="sign"/>.</summary>
    public static byte[] Seal(DataVectorRequest request, string chainId, Func<byte[], byte[]> sign)
    {
        ArgumentNullException.ThrowIfNull(request);
        var writer = new CanonicalWriter(256).WriteString(Domain).WriteString(request.Site);
        switch (request)
        {
            case VectorPublished p:
                writer.WriteByte(1).WriteString(p.VectorHash).WriteString(p.BaseHash).WriteInt64(p.SampleCount).WriteInt64(p.Sequence);
                break;
            case MergeVote v:
                writer.WriteByte(2).WriteInt32(v.Merge).WriteString(v.VectorSetDigest).WriteString(v.MergedHash);
                break;
            case LambdaProposed l:
                writer.WriteByte(3).WriteInt32(l.Merge).WriteInt32(l.Step);
                break;
            default:
                throw new ArgumentException($"unknown request {request.GetType().Name}", nameof(request));
        }
        return SignedPayload.Seal(chainId, writer.ToArray(), sign);
    }

    /// <summary>The request in <paramref name="payload"/> with its body and signature, or null with the reason.</summary>
    public static DataVectorRequest? TryDecode(byte[] payload, out byte[] body, out byte[] signature, out string problem)
    {
        ArgumentNullException.ThrowIfNull(payload);
        body = [];
        signature = [];
        try
        {
            if (!SignedPayload.Open(payload, Domain, out body, out signature, out var reader))
            {
                problem = "not a data-vector request";
                return null;
            }
            var site = reader.ReadString(SiteBytesMax);
            DataVectorRequest request = reader.ReadByte() switch
            {
                1 => new VectorPublished(site, reader.ReadString(HashBytesMax), reader.ReadString(HashBytesMax), reader.ReadInt64(), reader.ReadInt64()),
                2 => new MergeVote(site, reader.ReadInt32(), reader.ReadString(HashBytesMax), reader.ReadString(HashBytesMax)),
                3 => new LambdaProposed(site, reader.ReadInt32(), reader.ReadInt32()),
                var kind => throw new CanonicalFormatException($"unknown data-vector request kind {kind}"),
            };
            reader.ExpectEnd();
            problem = "";
            return request;
        }
        catch (CanonicalFormatException e)
        {
            problem = $"malformed data-vector request: {e.Message}";
            return null;
        }
    }
}
