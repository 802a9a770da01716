using System.Security.Cryptography;
using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;

namespace Swarm.Tests.Consensus.Simulation;

/// <summary>Cheap stand-in signatures for the seed sweep: a truncated SHA-256 over key and message. It is not
/// secure (the public key is the secret); it only has to make a garbage signature fail, like Ed25519 would. The
/// named scenarios that test forgery run with real Ed25519.</summary>
public sealed class FakeSignatureScheme : ISignatureVerifier
{
    public const int SignatureBytes = 16;

    public static ISigner CreateSigner(int id) => new FakeSigner(BitConverter.GetBytes(0x5157A9D0_00000000UL + (ulong)id));

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureBytes && Compute(publicKey, message).AsSpan().SequenceEqual(signature);

    internal static byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(key);
        hash.AppendData(message);
        return hash.GetHashAndReset()[..SignatureBytes];
    }

    private sealed class FakeSigner(byte[] key) : ISigner
    {
        public byte[] PublicKey => key;

        public byte[] Sign(ReadOnlySpan<byte> message) => Compute(key, message);
    }
}
