using System.Threading.Channels;
using Swarm.Node.Networking;
using Swarm.Node.Networking.Wire;

namespace Swarm.Tests.Networking;

/// <summary>Collects received envelopes in arrival order.</summary>
public sealed class RecordingHandler : IEnvelopeHandler
{
    private readonly Channel<(string From, Envelope Envelope)> _received = Channel.CreateUnbounded<(string, Envelope)>();

    public ValueTask HandleAsync(string fromNodeId, Envelope envelope, CancellationToken cancellationToken) =>
        _received.Writer.WriteAsync((fromNodeId, envelope), cancellationToken);

    public async Task<(string From, Envelope Envelope)> NextAsync(string phase, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            return await _received.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{phase}: no envelope arrived");
        }
    }

    public bool TryNext(out (string From, Envelope Envelope) item) => _received.Reader.TryRead(out item);
}
