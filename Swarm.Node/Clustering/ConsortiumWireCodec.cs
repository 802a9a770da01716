using Google.Protobuf;
using Swarm.Node.Networking.Wire;
using Swarm.Node.Service;
using WireHello = Swarm.Node.Networking.Wire.ConsortiumHello;

namespace Swarm.Node.Clustering;

/// <summary>Translates <see cref="ConsortiumHello"/> to and from swarm.proto ConsortiumHello. Decoding is an edge: a
/// negative version or a digest that is not 64 lower-case hex digits is a problem string, never an exception.</summary>
public sealed class ConsortiumWireCodec : IActorWireCodec
{
    public const string HelloType = "swarm.v1.ConsortiumHello";

    private const int DigestChars = 64;

    public static ConsortiumWireCodec Instance { get; } = new();

    public bool Knows(string typeUrl) => typeUrl == HelloType;

    public bool TryEncode(object message, out ActorMessage encoded)
    {
        encoded = message is ConsortiumHello hello
            ? new ActorMessage
            {
                TypeUrl = HelloType,
                Body = new WireHello { Version = hello.Version, Digest = hello.Digest, Reply = hello.Reply }.ToByteString(),
            }
            : null!;
        return encoded is not null;
    }

    public object? TryDecode(string from, ActorMessage encoded, out string problem)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        WireHello wire;
        try
        {
            wire = WireHello.Parser.ParseFrom(encoded.Body);
        }
        catch (InvalidProtocolBufferException e)
        {
            problem = $"malformed {HelloType}: {e.Message}";
            return null;
        }
        if (wire.Version < 0)
        {
            problem = $"{HelloType}: version {wire.Version} is negative";
            return null;
        }
        if (wire.Digest.Length != DigestChars || !wire.Digest.All(char.IsAsciiHexDigitLower))
        {
            problem = $"{HelloType}: digest is not {DigestChars} lower-case hex digits";
            return null;
        }
        problem = "";
        return new ConsortiumHello(from, wire.Version, wire.Digest, wire.Reply);
    }
}
