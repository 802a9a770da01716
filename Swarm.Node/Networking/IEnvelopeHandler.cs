using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>Receives the envelopes of authenticated peers, one link at a time and in the order they were sent. The
/// actor runtime's remote refs plug in here: an envelope's <c>to_actor_path</c> names the local actor. The read
/// loop awaits the handler, so a slow handler slows its sender down (back-pressure through TCP).</summary>
public interface IEnvelopeHandler
{
    ValueTask HandleAsync(string fromNodeId, Envelope envelope, CancellationToken cancellationToken);
}
