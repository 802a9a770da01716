using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Tasks;

/// <summary>The envelope of every statement a site signs for a task chain (task requests, export grants, model
/// imports): the body, which starts with the statement's domain tag, then the site's signature over (chain id,
/// body). The domain tag keeps one kind of statement from being read as another.</summary>
public static class SignedPayload
{
    public const int SignatureBytesMax = 256;

    private const int DomainBytesMax = 64;

    /// <summary>The bytes a site signs: the chain id, then the body.</summary>
    public static byte[] SigningBytes(string chainId, byte[] body) =>
        new CanonicalWriter(body.Length + 64).WriteString(chainId).WriteBytes(body).ToArray();

    /// <summary>The payload: <paramref name="body"/> and its signature by <paramref name="sign"/> on chain <paramref name="chainId"/>.</summary>
    public static byte[] Seal(string chainId, byte[] body, Func<byte[], byte[]> sign)
    {
        var signature = sign(SigningBytes(chainId, body));
        return new CanonicalWriter(body.Length + signature.Length + 16).WriteBytes(body).WriteBytes(signature).ToArray();
    }

    /// <summary>Whether the payload's body carries <paramref name="domain"/> (cheap: what a chain routes by).</summary>
    public static bool Carries(byte[] payload, string domain)
    {
        try
        {
            var outer = new CanonicalReader(payload);
            var body = outer.ReadBytes(ClientRequest.PayloadBytesMax);
            return new CanonicalReader(body).ReadString(DomainBytesMax) == domain;
        }
        catch (CanonicalFormatException)
        {
            return false;
        }
    }

    /// <summary>Splits a payload into body and signature and reads the body's domain tag; false when the tag is
    /// another statement's, with <paramref name="reader"/> placed after the tag otherwise. A malformed envelope
    /// throws <see cref="CanonicalFormatException"/>, as a malformed body does to the caller's reads.</summary>
    public static bool Open(byte[] payload, string domain, out byte[] body, out byte[] signature, out CanonicalReader reader)
    {
        var outer = new CanonicalReader(payload);
        body = outer.ReadBytes(ClientRequest.PayloadBytesMax);
        signature = outer.ReadBytes(SignatureBytesMax);
        outer.ExpectEnd();
        reader = new CanonicalReader(body);
        return reader.ReadString(DomainBytesMax) == domain;
    }
}
