using System.Security.Cryptography;
using Swarm.Consensus.Blocks;

namespace Swarm.Actors.Consensus;

/// <summary>ECDSA P-256 verification of canonical bytes (SHA-256, IEEE P1363 signatures), outside the pure core.
/// Public keys are SEC1 uncompressed points (0x04 ‖ X ‖ Y); imported keys are cached per key and per thread (an
/// ECDsa object is not documented as safe for concurrent use), so verification may run on several threads. A
/// malformed key or signature is a failed verification, never an exception.</summary>
public sealed class EcdsaSignatureScheme : ISignatureVerifier, IDisposable
{
    public const int SignatureBytes = 64;
    public const int PublicKeyBytes = 65;
    private const int CachedKeysMax = 4_096;
    private readonly ThreadLocal<Dictionary<string, ECDsa?>> _keys = new(() => [], trackAllValues: true);

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureBytes || Key(publicKey) is not { } key)
        {
            return false;
        }
        return key.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private ECDsa? Key(ReadOnlySpan<byte> publicKey)
    {
        var keys = _keys.Value!;
        var id = Convert.ToBase64String(publicKey);
        if (keys.TryGetValue(id, out var cached))
        {
            return cached;
        }
        if (keys.Count >= CachedKeysMax)
        {
            keys.Clear();
        }
        var key = Import(publicKey);
        keys[id] = key;
        return key;
    }

    private static ECDsa? Import(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != PublicKeyBytes || publicKey[0] != 0x04)
        {
            return null;
        }
        try
        {
            var parameters = new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = publicKey[1..33].ToArray(), Y = publicKey[33..].ToArray() },
            };
            return ECDsa.Create(parameters);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public static byte[] EncodePoint(ECPoint point)
    {
        var encoded = new byte[PublicKeyBytes];
        encoded[0] = 0x04;
        point.X!.CopyTo(encoded, 1);
        point.Y!.CopyTo(encoded, 33);
        return encoded;
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values.SelectMany(k => k.Values))
        {
            key?.Dispose();
        }
        _keys.Dispose();
    }
}
