using System.Security.Cryptography;

namespace Swarm.Actors.Consensus;

/// <summary>An ECDSA P-256 private key; signatures are SHA-256 based, in IEEE P1363 form (r ‖ s, 64 bytes).</summary>
public sealed class EcdsaSigner : ISigner, IDisposable
{
    private readonly ECDsa _key;

    private EcdsaSigner(ECDsa key)
    {
        _key = key;
        var point = key.ExportParameters(includePrivateParameters: false).Q;
        PublicKey = EcdsaSignatureScheme.EncodePoint(point);
    }

    public static EcdsaSigner Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads a key from PKCS#8 bytes (as kept in the node's key file).</summary>
    public static EcdsaSigner FromPkcs8(ReadOnlySpan<byte> pkcs8)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        return new EcdsaSigner(key);
    }

    public byte[] PublicKey { get; }

    public byte[] ExportPkcs8() => _key.ExportPkcs8PrivateKey();

    public byte[] Sign(ReadOnlySpan<byte> message) =>
        _key.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose() => _key.Dispose();
}
