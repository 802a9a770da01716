using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Blocks;

/// <summary>The canonical block encoding: a version byte, then height, previous hash, payload root, proposer,
/// view, timestamp (all fixed width, big-endian), then the request count and each request length-prefixed.</summary>
public static class BlockCodec
{
    public const byte Version = 1;
    public const int RequestsMax = 100_000;

    /// <summary>Encodes a block being built (<see cref="Block"/> keeps the result as <see cref="Block.Encoded"/>).</summary>
    public static byte[] Encode(Block block)
    {
        var size = 128L;
        foreach (var request in block.Requests)
        {
            size += 32 + request.ClientId.Length + request.Payload.Length + request.SignatureBytes.Length;
        }
        var writer = new CanonicalWriter((int)Math.Min(size, Array.MaxLength));
        WriteFields(writer, block);
        return writer.ToArray();
    }

    /// <summary>Writes a block's canonical encoding: the bytes it was built with, not a new encoding of its requests.</summary>
    public static void WriteTo(CanonicalWriter writer, Block block) => writer.WriteRaw(block.Encoded);

    private static void WriteFields(CanonicalWriter writer, Block block)
    {
        writer.WriteByte(Version)
            .WriteInt64(block.Height)
            .WriteDigest(block.PreviousHash)
            .WriteDigest(block.PayloadRoot)
            .WriteInt32(block.Proposer)
            .WriteInt64(block.View)
            .WriteInt64(block.TimestampMs)
            .WriteInt32(block.Requests.Count);
        foreach (var request in block.Requests)
        {
            request.WriteTo(writer);
        }
    }

    public static Block ReadFrom(ref CanonicalReader reader)
    {
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new CanonicalFormatException($"block encoding version {version}, expected {Version}");
        }
        var height = reader.ReadInt64();
        var previous = reader.ReadDigest();
        var root = reader.ReadDigest();
        var proposer = reader.ReadInt32();
        var view = reader.ReadInt64();
        var timestamp = reader.ReadInt64();
        var count = reader.ReadCount(RequestsMax, "request list");
        var requests = new ClientRequest[count];
        for (var i = 0; i < count; i++)
        {
            requests[i] = ClientRequest.ReadFrom(ref reader);
        }
        return Block.FromDecoded(height, previous, root, proposer, view, timestamp, requests);
    }

    /// <summary>Decodes a stored or received block; malformed bytes become an error message, never an exception.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out Block? block, out string error)
    {
        try
        {
            var reader = new CanonicalReader(bytes);
            block = ReadFrom(ref reader);
            reader.ExpectEnd();
            error = "";
            return true;
        }
        catch (CanonicalFormatException e)
        {
            block = null;
            error = "malformed block: " + e.Message;
            return false;
        }
    }
}
