using Microsoft.Extensions.Logging;
using Swarm.Node.Identity;

namespace Swarm.Node.Networking;

/// <summary>What every link of one <see cref="PeerTransport"/> shares.</summary>
internal sealed class TransportContext(
    NodeIdentity identity,
    TransportOptions options,
    IEnvelopeHandler handler,
    EnvelopeSigner signer,
    ILogger logger,
    TimeProvider time)
{
    private volatile Consortium _consortium = new("", []);

    public NodeIdentity Identity => identity;

    public TransportOptions Options => options;

    public IEnvelopeHandler Handler => handler;

    public EnvelopeSigner Signer => signer;

    public ILogger Logger => logger;

    public TimeProvider Time => time;

    public Consortium Consortium
    {
        get => _consortium;
        set => _consortium = value;
    }
}
