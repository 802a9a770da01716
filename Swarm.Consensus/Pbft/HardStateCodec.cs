using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Pbft;

/// <summary>Canonical encoding of <see cref="HardState"/> for the ledger's state table.</summary>
public static class HardStateCodec
{
    public const string StoreKey = "pbft.hard-state";
    private const byte Version = 1;

    public static byte[] Encode(HardState state)
    {
        var writer = new CanonicalWriter();
        writer.WriteByte(Version).WriteInt64(state.View).WriteInt64(state.VotedThrough).WriteInt64(state.StableSequence)
            .WriteDigest(state.StableHash).WriteInt64(state.StableTimestampMs).WriteInt32(state.StableProof.Count);
        foreach (var signed in state.StableProof)
        {
            MessageCodec.WriteSigned(writer, signed);
        }
        return writer.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> bytes, out HardState? state, out string error)
    {
        try
        {
            var reader = new CanonicalReader(bytes);
            var version = reader.ReadByte();
            if (version != Version)
            {
                throw new CanonicalFormatException($"hard state version {version}, expected {Version}");
            }
            var view = reader.ReadInt64();
            var voted = reader.ReadInt64();
            var stable = reader.ReadInt64();
            var hash = reader.ReadDigest();
            var timestamp = reader.ReadInt64();
            var count = reader.ReadCount(MessageCodec.ListMax, "checkpoint proof");
            var proof = new SignedMessage[count];
            for (var i = 0; i < count; i++)
            {
                proof[i] = MessageCodec.ReadSigned(ref reader);
            }
            reader.ExpectEnd();
            state = new HardState(view, voted, stable, hash, timestamp, proof);
            error = "";
            return true;
        }
        catch (CanonicalFormatException e)
        {
            state = null;
            error = "malformed hard state: " + e.Message;
            return false;
        }
    }
}
