using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Swarm.Node.Identity;
using Swarm.Node.Networking.Wire;

namespace Swarm.Node.Networking;

/// <summary>A connection a peer dialed to us: TLS handshake with pinning, then envelopes validated at the edge and
/// handed to the handler in order. Any rejection closes the connection with one log line; nothing a peer sends can
/// throw past this class.</summary>
internal sealed class InboundConnection(Socket socket, TransportContext context)
{
    private readonly EndPoint? _remote = socket.RemoteEndPoint;

    public string? PeerId { get; private set; }

    public void Cut() => socket.Dispose();

    public async Task RunAsync(CancellationToken ct)
    {
        using var owned = socket;
        // Only the read-ahead side of the coalescing stream matters here: replies are written outside any batch.
        await using var ssl = new SslStream(new CoalescingStream(new NetworkStream(socket, ownsSocket: false), writeBufferBytes: 1024));
        var publicKey = await HandshakeAsync(ssl, ct).ConfigureAwait(false);
        if (publicKey is null)
        {
            return;
        }
        try
        {
            var rejection = await ReadLoopAsync(ssl, publicKey, ct).ConfigureAwait(false);
            if (rejection is not null)
            {
                context.Logger.LogWarning("closing link {Peer} -> {Node} from {Address}: {Rejection}",
                    PeerId, context.Identity.NodeId, _remote, rejection);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            context.Logger.LogDebug("link {Peer} -> {Node} closed: {Reason}", PeerId, context.Identity.NodeId, e.Message);
        }
    }

    /// <summary>The peer's Ed25519 signing key, listed in the consortium under the id its pinned certificate names;
    /// null when the handshake failed.</summary>
    private async Task<byte[]?> HandshakeAsync(SslStream ssl, CancellationToken ct)
    {
        string? refusal = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(context.Options.HandshakeTimeout);
            var options = TlsSettings.Server(context.Identity, () => context.Consortium, r => refusal = r);
            await ssl.AuthenticateAsServerAsync(options, timeout.Token).ConfigureAwait(false);
            using var certificate = new X509Certificate2(ssl.RemoteCertificate!);
            PeerId = certificate.GetNameInfo(X509NameType.SimpleName, false);
            // The consortium may have been replaced since the pin was checked; the member must still be in it.
            var member = context.Consortium.Find(PeerId)
                ?? throw new AuthenticationException($"peer '{PeerId}' is no longer a member of the consortium");
            return MemberKeys.SigningKey(member);
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or ObjectDisposedException
            or OperationCanceledException)
        {
            context.Logger.LogWarning("refused connection to {Node} from {Address}: {Reason}",
                context.Identity.NodeId, _remote, refusal ?? e.Message);
            return null;
        }
    }

    private async Task<FrameRejection?> ReadLoopAsync(SslStream ssl, byte[] publicKey, CancellationToken ct)
    {
        // Frames of 64 KiB and more (blob chunks) land in pooled buffers and reach the blob receiver without a copy.
        var decoder = new FrameDecoder(context.Options.FrameBytesMax, pooledFrameBytesMin: 64 * 1024);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ulong lastSequence = 0;
        while (true)
        {
            idle.CancelAfter(context.Options.PeerTimeout);
            var read = await ssl.ReadAsync(decoder.GetReadBuffer(64 * 1024), idle.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return decoder.Complete();
            }
            decoder.Commit(read);
            while (decoder.Next() is { } frame)
            {
                var envelope = frame.Envelope;
                var rejection = frame.Rejection ?? Check(envelope!, publicKey, ref lastSequence);
                if (rejection is not null)
                {
                    frame.Lease?.Dispose();
                    return rejection;
                }
                await DeliverAsync(ssl, envelope!, frame.Lease, ct).ConfigureAwait(false);
            }
        }
    }

    private FrameRejection? Check(Envelope envelope, byte[] publicKey, ref ulong lastSequence)
    {
        if (envelope.From != PeerId)
        {
            return new(FrameRejectionKind.InvalidField, $"from '{envelope.From}' is not the authenticated peer '{PeerId}'");
        }
        if (envelope.Sequence <= lastSequence)
        {
            return new(FrameRejectionKind.InvalidField, $"sequence {envelope.Sequence} does not follow {lastSequence}");
        }
        lastSequence = envelope.Sequence;
        if (EnvelopeSigner.MustBeSigned(envelope) && !EnvelopeSigner.Verify(envelope, publicKey))
        {
            return new(FrameRejectionKind.BadSignature, $"{envelope.PayloadCase} envelope {envelope.Sequence} has a missing or invalid signature");
        }
        return null;
    }

    private async ValueTask DeliverAsync(SslStream ssl, Envelope envelope, FrameLease? lease, CancellationToken ct)
    {
        if (envelope.PayloadCase == Envelope.PayloadOneofCase.Heartbeat)
        {
            if (!envelope.Heartbeat.Reply)
            {
                var reply = new Envelope { From = context.Identity.NodeId, Sequence = envelope.Sequence, Heartbeat = new Heartbeat { Nonce = envelope.Heartbeat.Nonce, Reply = true } };
                var frame = new ArrayBufferWriter<byte>(64);
                FrameWriter.Append(frame, reply);
                await ssl.WriteAsync(frame.WrittenMemory, ct).ConfigureAwait(false);
            }
            return;
        }
        try
        {
            await FrameLease.DeliverAsync(context.Handler, PeerId!, envelope, lease, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failing handler is a local bug, not the peer's fault: report it loudly and keep the link.
            context.Logger.LogError(e, "handler failed on {Payload} envelope {Sequence} from {Peer}", envelope.PayloadCase, envelope.Sequence, PeerId);
        }
    }
}
