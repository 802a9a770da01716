using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Identity;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>This node's end of the consortium network: it listens for peers, keeps one long-lived mutual-TLS 1.3
/// connection to each peer it sends to, and hands received envelopes to an <see cref="IEnvelopeHandler"/>. A node
/// uses it for the blob transfer only; actor messages go over Akka.Remote (<see cref="Clustering.ClusterActorSender"/>).
/// Envelopes with an <see cref="ActorMessage"/> are still framed, signed and checked here (tests use them as generic
/// payloads), but a node routes none.</summary>
public sealed class PeerTransport : IAsyncDisposable
{
    private readonly TransportContext _context;
    private readonly ConcurrentDictionary<string, OutboundLink> _links = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<InboundConnection, Task> _inbound = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _linksGate = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;

    public PeerTransport(NodeIdentity identity, Consortium consortium, TransportOptions options, IEnvelopeHandler handler,
        ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _context = new TransportContext(identity, options, handler, new EnvelopeSigner(identity.Signer),
            logger ?? NullLogger.Instance, time ?? TimeProvider.System)
        {
            Consortium = Validated(consortium),
        };
    }

    private static Consortium Validated(Consortium consortium)
    {
        ArgumentNullException.ThrowIfNull(consortium);
        var problems = consortium.Validate();
        return problems.Count == 0
            ? consortium
            : throw new ArgumentException($"invalid consortium: {string.Join("; ", problems)}", nameof(consortium));
    }

    public string NodeId => _context.Identity.NodeId;

    public IPEndPoint? LocalEndpoint => _listener?.LocalEndPoint as IPEndPoint;

    /// <summary>The pinned members. Replacing it takes effect for every later handshake and dial.</summary>
    public Consortium Consortium
    {
        get => _context.Consortium;
        set => _context.Consortium = Validated(value);
    }

    /// <summary>Raised when a connection a peer dialed to us closes (the peer may have lost what it was sending).</summary>
    public event Action<string>? InboundLinkClosed;

    /// <summary>Listens on <paramref name="endpoint"/> (port 0 picks a free port, see <see cref="LocalEndpoint"/>).</summary>
    public void Start(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // A restarted node must get its port back while old connections linger in TIME_WAIT.
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(endpoint);
        listener.Listen(128);
        _listener = listener;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Queues <paramref name="envelope"/> for <paramref name="nodeId"/>, waiting while that peer's queue is
    /// full. The transport takes the envelope over: it sets <c>from</c>, <c>sequence</c> and the signature.</summary>
    public ValueTask SendAsync(string nodeId, Envelope envelope, CancellationToken cancellationToken = default)
    {
        var (link, bytes) = Prepare(nodeId, envelope);
        return link.Queue.EnqueueAsync(envelope, bytes, null, cancellationToken);
    }

    /// <summary>Like <see cref="SendAsync(string, Envelope, CancellationToken)"/>; <paramref name="encoded"/> runs once
    /// the link no longer reads the envelope (copied into a frame or written to TLS), after which buffers it points
    /// into may be reused (blob chunks).</summary>
    internal ValueTask SendAsync(string nodeId, Envelope envelope, Action encoded, CancellationToken cancellationToken)
    {
        var (link, bytes) = Prepare(nodeId, envelope);
        return link.Queue.EnqueueAsync(envelope, bytes, encoded, cancellationToken);
    }

    /// <summary>Like <see cref="SendAsync(string, Envelope, CancellationToken)"/> but returns false at once when the peer's queue is full.</summary>
    public bool TrySend(string nodeId, Envelope envelope)
    {
        var (link, bytes) = Prepare(nodeId, envelope);
        return link.Queue.TryEnqueue(envelope, bytes);
    }

    /// <summary>Breaks every connection with <paramref name="nodeId"/> as a network fault would (tests, operators).</summary>
    public void CutLinks(string nodeId)
    {
        if (_links.TryGetValue(nodeId, out var link))
        {
            link.Cut();
        }
        foreach (var connection in _inbound.Keys.Where(c => c.PeerId == nodeId))
        {
            connection.Cut();
        }
    }

    private (OutboundLink Link, int Bytes) Prepare(string nodeId, Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (_context.Consortium.Find(nodeId) is null)
        {
            throw new ArgumentException($"'{nodeId}' is not a member of consortium '{_context.Consortium.Name}'", nameof(nodeId));
        }
        envelope.From = NodeId;
        // Sign-to-be envelopes grow by an Ed25519 signature (64 bytes plus tag and length).
        var bytes = envelope.CalculateSize() + FrameDecoder.PrefixBytes + (EnvelopeSigner.MustBeSigned(envelope) ? 80 : 12);
        if (bytes > _context.Options.FrameBytesMax)
        {
            throw new ArgumentException($"envelope of {bytes} bytes exceeds FrameBytesMax {_context.Options.FrameBytesMax}", nameof(envelope));
        }
        return (LinkTo(nodeId), bytes);
    }

    private OutboundLink LinkTo(string nodeId)
    {
        if (_links.TryGetValue(nodeId, out var link))
        {
            return link;
        }
        lock (_linksGate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            if (!_links.TryGetValue(nodeId, out link))
            {
                link = new OutboundLink(nodeId, _context);
                _links[nodeId] = link;
                link.Start();
            }
            return link;
        }
    }

    private async Task AcceptLoopAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (ct.IsCancellationRequested)
                {
                    return;
                }
                _context.Logger.LogWarning("accept on {Node} failed: {Reason}", NodeId, e.Message);
                continue;
            }
            Admit(socket, ct);
        }
    }

    private void Admit(Socket socket, CancellationToken ct)
    {
        if (_inbound.Count >= _context.Options.InboundConnectionsMax)
        {
            _context.Logger.LogWarning("refused connection to {Node} from {Address}: InboundConnectionsMax {Max} reached",
                NodeId, socket.RemoteEndPoint, _context.Options.InboundConnectionsMax);
            socket.Dispose();
            return;
        }
        socket.NoDelay = true;
        var connection = new InboundConnection(socket, _context);
        // Registered before it runs, so that its own removal can never precede its registration.
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inbound[connection] = Task.Run(async () =>
        {
            await registered.Task.ConfigureAwait(false);
            try
            {
                await connection.RunAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Unexpected, so a bug: reported loudly, but one connection's bug must not stop the node.
                _context.Logger.LogError(e, "inbound connection from {Peer} failed", connection.PeerId);
            }
            finally
            {
                _inbound.TryRemove(connection, out _);
            }
            if (connection.PeerId is not null && !ct.IsCancellationRequested)
            {
                InboundLinkClosed?.Invoke(connection.PeerId);
            }
        }, CancellationToken.None);
        registered.SetResult();
    }

    public async ValueTask DisposeAsync()
    {
        lock (_linksGate)
        {
            _stop.Cancel();
        }
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var link in _links.Values)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var connection in _inbound.Keys)
        {
            connection.Cut();
        }
        await Task.WhenAll(_inbound.Values).ConfigureAwait(false);
        _stop.Dispose();
    }
}
