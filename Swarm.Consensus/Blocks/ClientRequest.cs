using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Blocks;

/// <summary>An operation submitted by a client. <paramref name="RequestId"/> increases per client; replicas
/// execute a request only if its id is above the last one executed for that client, which suppresses duplicates
/// and replays (Castro and Liskov, TOCS 2002, §4.1: "timestamps ... ensure exactly-once semantics").
/// <paramref name="Signature"/> is the client's signature over <see cref="SigningBytes"/> (the chain, the client,
/// the id and the payload): replicas verify it against the client's key (<see cref="ClientKeys"/>) before they
/// relay, propose or prepare the request, so no member can submit, replay or renumber a request in another
/// client's name (§4.1: requests are signed by the client). Membership changes carry the approvals of a quorum
/// instead (<see cref="MembershipChange"/>) and no signature.</summary>
public sealed record ClientRequest(string ClientId, long RequestId, byte[] Payload, byte[]? Signature = null)
{
    public const int ClientIdBytesMax = 256;
    public const int PayloadBytesMax = 1 << 20;
    private const string Domain = "swarm.request.v1";

    public RequestKey Key => new(ClientId, RequestId);

    /// <summary>The signature, empty when there is none.</summary>
    public byte[] SignatureBytes => Signature ?? [];

    /// <summary>Whether this request runs after <paramref name="lastExecuted"/> (the last executed id per client):
    /// only if its id is above its client's last one, so repeats and replays run once.</summary>
    public bool RunsAfter(IReadOnlyDictionary<string, long> lastExecuted) => RequestId > lastExecuted.GetValueOrDefault(ClientId, -1);

    /// <summary>What the client signs: a domain tag, the chain id (a request of one chain is void on another), the
    /// client id, the request id (a signed payload cannot be replayed under a new id) and the payload.</summary>
    public byte[] SigningBytes(string chainId) =>
        new CanonicalWriter(96 + chainId.Length + ClientId.Length + Payload.Length)
            .WriteString(Domain).WriteString(chainId).WriteString(ClientId).WriteInt64(RequestId).WriteBytes(Payload).ToArray();

    /// <summary>This request signed by its client with <paramref name="sign"/> (the client's private key).</summary>
    public ClientRequest SignedWith(string chainId, Func<byte[], byte[]> sign) => this with { Signature = sign(SigningBytes(chainId)) };

    public void WriteTo(CanonicalWriter writer) =>
        writer.WriteString(ClientId).WriteInt64(RequestId).WriteBytes(Payload).WriteBytes(SignatureBytes);

    public static ClientRequest ReadFrom(ref CanonicalReader reader) =>
        new(reader.ReadString(ClientIdBytesMax), reader.ReadInt64(), reader.ReadBytes(PayloadBytesMax),
            reader.ReadBytes(CommitCertificate.SignatureBytesMax));

    public Digest ComputeHash()
    {
        var writer = new CanonicalWriter(128 + ClientId.Length + Payload.Length + SignatureBytes.Length);
        WriteTo(writer);
        return Digest.Of(writer.WrittenSpan);
    }
}
