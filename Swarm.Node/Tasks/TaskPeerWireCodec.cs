using Google.Protobuf;
using Swarm.Actors.Tasks;
using Swarm.Consensus.Encoding;
using Swarm.Node.Networking.Wire;
using Swarm.Node.Service;
using Swarm.Tasks;

namespace Swarm.Node.Tasks;

/// <summary>The round protocol's messages between the task peers of a cluster (PBFT messages of the task's chain,
/// update bytes, blob requests and answers), as canonical bodies in <see cref="ActorMessage"/>s. The site a message
/// claims to come from must be the link's authenticated node: a peer cannot speak for another.</summary>
public sealed class TaskPeerWireCodec : IActorWireCodec
{
    public const string PbftType = "swarm.v1.task.Pbft";
    public const string OfferType = "swarm.v1.task.UpdateOffer";
    public const string WantedType = "swarm.v1.task.BlobWanted";
    public const string FoundType = "swarm.v1.task.BlobFound";

    /// <summary>The largest blob a message carries (the frame limit of the transport applies as well).</summary>
    public const int BlobBytesMax = 256 * 1024 * 1024;

    private const int SiteBytesMax = 256;
    private const int HashBytesMax = 128;

    public bool Knows(string typeUrl) => typeUrl is PbftType or OfferType or WantedType or FoundType;

    public bool TryEncode(object message, out ActorMessage encoded)
    {
        var writer = new CanonicalWriter();
        string type;
        switch (message)
        {
            case PbftPacket packet:
                type = PbftType;
                writer.WriteString(packet.Site).WriteBytes(packet.Message);
                break;
            case UpdateOffer offer:
                type = OfferType;
                writer.WriteString(offer.Site).WriteInt32(offer.Round).WriteBytes(offer.Bytes);
                break;
            case BlobWanted wanted:
                type = WantedType;
                writer.WriteString(wanted.Site).WriteByte((byte)wanted.Kind).WriteString(wanted.Hash);
                break;
            case BlobFound found:
                type = FoundType;
                writer.WriteString(found.Site).WriteByte((byte)found.Kind).WriteString(found.Hash).WriteBytes(found.Bytes);
                break;
            default:
                encoded = null!;
                return false;
        }
        encoded = new ActorMessage { TypeUrl = type, Body = UnsafeByteOperations.UnsafeWrap(writer.ToArray()) };
        return true;
    }

    public object? TryDecode(string from, ActorMessage encoded, out string problem)
    {
        try
        {
            var reader = new CanonicalReader(encoded.Body.Span);
            var site = reader.ReadString(SiteBytesMax);
            if (site != from)
            {
                problem = $"{encoded.TypeUrl} claims to come from '{site}' over the link of '{from}'";
                return null;
            }
            object message = encoded.TypeUrl switch
            {
                PbftType => new PbftPacket(site, reader.ReadBytes(BlobBytesMax)),
                OfferType => new UpdateOffer(site, reader.ReadInt32(), reader.ReadBytes(BlobBytesMax)),
                WantedType => new BlobWanted(site, Kind(reader.ReadByte()), reader.ReadString(HashBytesMax)),
                FoundType => new BlobFound(site, Kind(reader.ReadByte()), reader.ReadString(HashBytesMax), reader.ReadBytes(BlobBytesMax)),
                _ => throw new CanonicalFormatException($"unknown type '{encoded.TypeUrl}'"),
            };
            reader.ExpectEnd();
            problem = "";
            return message;
        }
        catch (CanonicalFormatException e)
        {
            problem = $"malformed {encoded.TypeUrl}: {e.Message}";
            return null;
        }
    }

    private static BlobKind Kind(byte value) => Enum.IsDefined((BlobKind)value)
        ? (BlobKind)value
        : throw new CanonicalFormatException($"unknown blob kind {value}");
}
