using Google.Protobuf;
using Swarm.Actors.Tasks;
using Swarm.Consensus.Encoding;
using Swarm.Node.Networking.Wire;
using Swarm.Node.Service;

namespace Swarm.Node.Tasks;

/// <summary>The round protocol's messages between the task peers of a cluster (PBFT messages of the task's chain and
/// update announcements), as canonical bodies in <see cref="ActorMessage"/>s. No model or update bytes travel here:
/// messages carry hashes, and the bytes go by blob transfer. The site a message claims to come from must be the
/// link's authenticated node: a peer cannot speak for another.</summary>
public sealed class TaskPeerWireCodec : IActorWireCodec
{
    public const string PbftType = "swarm.v1.task.Pbft";
    public const string AnnouncedType = "swarm.v1.task.UpdateAnnounced";

    /// <summary>The largest PBFT message (a NEW-VIEW with its certificates; the frame limit applies as well).</summary>
    public const int PbftBytesMax = 16 * 1024 * 1024;

    private const int SiteBytesMax = 256;
    private const int HashBytesMax = 128;

    public bool Knows(string typeUrl) => typeUrl is PbftType or AnnouncedType;

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
            case UpdateAnnounced announced:
                type = AnnouncedType;
                writer.WriteString(announced.Site).WriteInt32(announced.Round).WriteString(announced.Hash);
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
                PbftType => new PbftPacket(site, reader.ReadBytes(PbftBytesMax)),
                AnnouncedType => new UpdateAnnounced(site, reader.ReadInt32(), reader.ReadString(HashBytesMax)),
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
}
