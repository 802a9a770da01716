using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>A handler that can take a blob chunk whose data still lies in the connection's pooled frame buffer. It owns
/// the lease from the call on and disposes it when it no longer reads the data (possibly after
/// returning, e.g. once a background write has finished). Handlers without this interface get a copy.</summary>
public interface ILeasedEnvelopeHandler : IEnvelopeHandler
{
    /// <summary>Handles <paramref name="envelope"/>, whose blob-chunk data lies in <paramref name="lease"/>'s buffer;
    /// disposes <paramref name="lease"/> when done with the data.</summary>
    ValueTask HandleAsync(string fromNodeId, Envelope envelope, FrameLease lease, CancellationToken cancellationToken);
}
