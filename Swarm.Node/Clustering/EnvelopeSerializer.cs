using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;
using Envelope = Swarm.Node.Networking.Wire.Envelope;

namespace Swarm.Node.Clustering;

/// <summary>Akka's serializer of the actor messages that cross between nodes: each is a signed <see cref="Envelope"/>
/// of the proto contract (protos/swarm/v1/swarm.proto), written as its protobuf bytes. Bytes that do not parse fail
/// here, inside Akka.Remote's endpoint reader, which drops the message and logs it; everything that parses is
/// checked at <see cref="RemoteInbox"/> before any actor sees it.</summary>
public sealed class EnvelopeSerializer(ExtendedActorSystem system) : Serializer(system)
{
    public const int Id = 7312;

    /// <summary>The HOCON that registers this serializer for <see cref="Envelope"/>.</summary>
    public const string Hocon = """
        akka.actor {
          serializers.swarm-envelope = "Swarm.Node.Clustering.EnvelopeSerializer, Swarm.Node"
          serialization-bindings { "Swarm.Node.Networking.Wire.Envelope, Swarm.Node" = swarm-envelope }
        }
        """;

    public override int Identifier => Id;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) => obj is Envelope envelope
        ? envelope.ToByteArray()
        : throw new ArgumentException($"not an envelope: {obj?.GetType().Name}", nameof(obj));

    public override object FromBinary(byte[] bytes, Type type) => Envelope.Parser.ParseFrom(bytes);
}
