using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Service;

/// <summary>Translates one family of actor messages (task consent, a task's round protocol) to and from
/// <see cref="ActorMessage"/>. Decoding is an edge (STYLE.md #7): a bad body becomes a problem string, never an
/// exception, and the sender is always the member whose signature on the envelope was verified
/// (<see cref="Clustering.RemoteInbox"/>).</summary>
public interface IActorWireCodec
{
    /// <summary>Whether <paramref name="typeUrl"/> is one of this codec's message types.</summary>
    bool Knows(string typeUrl);

    /// <summary>Encodes <paramref name="message"/> when it is one of this codec's messages.</summary>
    bool TryEncode(object message, out ActorMessage encoded);

    /// <summary>The message, or null with <paramref name="problem"/> naming what is wrong.</summary>
    object? TryDecode(string from, ActorMessage encoded, out string problem);
}

/// <summary>The codecs a node speaks, asked in order.</summary>
public sealed class ActorWireCodecs
{
    private readonly IReadOnlyList<IActorWireCodec> _codecs;

    public ActorWireCodecs(IEnumerable<IActorWireCodec>? extra = null) =>
        _codecs = [.. extra ?? []];

    public bool TryEncode(object message, out ActorMessage encoded)
    {
        foreach (var codec in _codecs)
        {
            if (codec.TryEncode(message, out encoded))
            {
                return true;
            }
        }
        encoded = null!;
        return false;
    }

    public object? TryDecode(string from, ActorMessage encoded, out string problem)
    {
        foreach (var codec in _codecs)
        {
            if (codec.Knows(encoded.TypeUrl))
            {
                return codec.TryDecode(from, encoded, out problem);
            }
        }
        problem = $"unknown message type '{encoded.TypeUrl}'";
        return null;
    }
}
