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

    /// <summary>The HOCON that registers this serializer for <see cref="Envelope"/> (type names with this assembly's
    /// name, which is the executable's, <c>swarm</c>, not the project's).</summary>
    public static string Hocon { get; } = $$"""
        akka.actor {
          serializers.swarm-envelope = "{{TypeName(typeof(EnvelopeSerializer))}}"
          serialization-bindings { "{{TypeName(typeof(Envelope))}}" = swarm-envelope }
        }
        """;

    public override int Identifier => Id;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) => obj is Envelope envelope
        ? envelope.ToByteArray()
        : throw new ArgumentException($"not an envelope: {obj?.GetType().Name}", nameof(obj));

    public override object FromBinary(byte[] bytes, Type type) => Envelope.Parser.ParseFrom(bytes);

    private static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
