using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>Sends each envelope to the handler registered for its payload kind (blob transfer, actors, ...).
/// Routes are registered before the transport starts.</summary>
public sealed class PayloadRouter : ILeasedEnvelopeHandler
{
    private readonly Dictionary<Envelope.PayloadOneofCase, IEnvelopeHandler> _routes = [];

    public PayloadRouter Route(Envelope.PayloadOneofCase payload, IEnvelopeHandler handler)
    {
        _routes[payload] = handler;
        return this;
    }

    public ValueTask HandleAsync(string fromNodeId, Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return _routes.TryGetValue(envelope.PayloadCase, out var handler)
            ? handler.HandleAsync(fromNodeId, envelope, cancellationToken)
            : ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(string fromNodeId, Envelope envelope, FrameLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(lease);
        if (_routes.TryGetValue(envelope.PayloadCase, out var handler))
        {
            return FrameLease.DeliverAsync(handler, fromNodeId, envelope, lease, cancellationToken);
        }
        lease.Dispose();
        return ValueTask.CompletedTask;
    }
}
