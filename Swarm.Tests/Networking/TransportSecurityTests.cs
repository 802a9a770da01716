using System.Buffers.Binary;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Swarm.Actors.Consensus;
using Swarm.Node.Identity;
using Swarm.Node.Networking;
using Swarm.Node.Networking.Wire;

namespace Swarm.Tests.Networking;

public sealed class TransportSecurityTests
{
    [Fact]
    public async Task A_node_whose_certificate_is_not_in_the_consortium_cannot_dial_in()
    {
        await using var nodes = LoopbackNodes.Start("a", "b");
        using var stranger = NodeIdentity.Create("x", 1);
        var strangerView = nodes.Consortium.With(stranger.ToMember("127.0.0.1:1"));
        var strangerLog = new ListLogger();
        await using var strangerTransport = new PeerTransport(stranger, strangerView, LoopbackNodes.FastOptions, new RecordingHandler(), strangerLog);

        await strangerTransport.SendAsync("a", LoopbackNodes.Actor("let me in"));

        var refusal = await nodes.Log.WaitForAsync(l => l.Contains("refused connection to a from", StringComparison.Ordinal), "a refusing x");
        Assert.Contains($"node 'x' (key {stranger.Fingerprint}) is not a member of consortium 'test'", refusal, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", string.Join('\n', nodes.Log.Lines), StringComparison.Ordinal);
        Assert.False(nodes.Handlers["a"].TryNext(out _));
    }

    [Fact]
    public async Task A_dialed_peer_whose_key_is_not_pinned_is_refused_by_the_dialer()
    {
        await using var nodes = LoopbackNodes.Start("a", "b");
        await using var impostor = LoopbackNodes.Start("b");
        // a believes b lives where the impostor (a different key under the id "b") listens.
        nodes["a"].Consortium = nodes.Consortium with
        {
            Members = [.. nodes.Consortium.Members.Select(m => m.Id == "b" ? m with { Endpoint = $"127.0.0.1:{impostor["b"].LocalEndpoint!.Port}" } : m)],
        };

        await nodes["a"].SendAsync("b", LoopbackNodes.Actor("secret"));

        var refusal = await nodes.Log.WaitForAsync(l => l.Contains("refused peer b", StringComparison.Ordinal), "a refusing the impostor");
        Assert.Contains($"its key {impostor.Identities["b"].Fingerprint} is not the pinned key {nodes.Identities["b"].Fingerprint}", refusal, StringComparison.Ordinal);
        Assert.False(impostor.Handlers["b"].TryNext(out _));
    }

    [Fact]
    public async Task A_member_claiming_another_members_id_is_refused()
    {
        await using var nodes = LoopbackNodes.Start("a", "b", "c");
        using var cKey = nodes.Identities["c"].Certificate.GetECDsaPrivateKey()!;
        using var forged = new NodeIdentity("b", SelfSigned("b", cKey), Ed25519Signer.Generate());

        await using var client = await RawTlsClient.ConnectAsync(nodes["a"].LocalEndpoint!, forged).ContinueWith(t => t.Exception is null ? t.Result : null);

        var refusal = await nodes.Log.WaitForAsync(l => l.Contains("refused connection to a", StringComparison.Ordinal), "a refusing c posing as b");
        Assert.Contains($"certificate claims node 'b' but its key {nodes.Identities["c"].Fingerprint} is not the pinned key", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tls_1_2_client_is_refused()
    {
        await using var nodes = LoopbackNodes.Start("a", "b");

        await Assert.ThrowsAnyAsync<Exception>(() => RawTlsClient.ConnectAsync(nodes["a"].LocalEndpoint!, nodes.Identities["b"], SslProtocols.Tls12));

        await nodes.Log.WaitForAsync(l => l.Contains("refused connection to a from", StringComparison.Ordinal), "a refusing TLS 1.2");
    }

    public static TheoryData<string, string> BadFrames => new()
    {
        { "oversized", "Oversized" },
        { "zero", "ZeroLength" },
        { "malformed", "Malformed" },
        { "truncated", "Truncated" },
        { "unknown", "UnknownPayload" },
        { "spoofed-from", "InvalidField: from 'a' is not the authenticated peer 'c'" },
        { "unsigned", "BadSignature" },
        { "forged-signature", "BadSignature" },
        { "stranger-signature", "BadSignature" },
        { "sequence-replay", "InvalidField: sequence 1 does not follow 1" },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task A_bad_frame_from_an_authenticated_peer_closes_its_link_with_a_log_line_and_the_node_serves_on(string kind, string expected)
    {
        await using var nodes = LoopbackNodes.Start("a", "b", "c");
        await using (var raw = await RawTlsClient.ConnectAsync(nodes["a"].LocalEndpoint!, nodes.Identities["c"]))
        {
            await raw.WriteAsync(BadFrame(kind, nodes.Identities["b"]));
            await raw.FlushAsync();
            if (kind == "truncated")
            {
                await raw.ShutdownAsync();
            }
            var line = await nodes.Log.WaitForAsync(l => l.Contains("closing link c -> a", StringComparison.Ordinal), $"a rejecting a {kind} frame");
            Assert.Contains(expected, line, StringComparison.Ordinal);
        }
        Assert.False(nodes.Handlers["a"].TryNext(out _));

        await nodes["b"].SendAsync("a", LoopbackNodes.Actor("still there?"));
        var (from, envelope) = await nodes.Handlers["a"].NextAsync($"a serving b after the {kind} frame from c");
        Assert.Equal("b", from);
        Assert.Equal("still there?", envelope.Actor.Body.ToStringUtf8());
        Assert.Single(nodes.Log.Lines, l => l.Contains("closing link", StringComparison.Ordinal));
    }

    private static byte[] BadFrame(string kind, NodeIdentity other)
    {
        var valid = LoopbackNodes.Actor("x");
        valid.From = "c";
        valid.Sequence = 1;
        switch (kind)
        {
            case "oversized":
                return [0x7f, 0xff, 0xff, 0xff, 1, 2, 3];
            case "zero":
                return [0, 0, 0, 0];
            case "malformed":
                return [0, 0, 0, 4, 0x0a, 0x7f, 0x01, 0x02];
            case "truncated":
                return FrameWriter.Encode(valid)[..10];
            case "unknown":
                return Frame(new Envelope { From = "c", Sequence = 1 }.ToByteArray().Concat(new byte[] { 0xf8, 0x07, 0x01 }).ToArray());
            case "spoofed-from":
                valid.From = "a";
                return FrameWriter.Encode(valid);
            case "unsigned":
                return FrameWriter.Encode(valid);
            case "forged-signature":
                // Signed with another member's key: a member cannot speak for a third one.
                new EnvelopeSigner(other.Signer).Sign(valid);
                return FrameWriter.Encode(valid);
            case "stranger-signature":
                // Signed with a key that is in no consortium entry.
                using (var stranger = Ed25519Signer.Generate())
                {
                    new EnvelopeSigner(stranger).Sign(valid);
                }
                return FrameWriter.Encode(valid);
            default:
                var heartbeat = new Envelope { From = "c", Sequence = 1, Heartbeat = new Heartbeat { Nonce = 1 } };
                return [.. FrameWriter.Encode(heartbeat), .. FrameWriter.Encode(heartbeat)];
        }
    }

    private static byte[] Frame(byte[] body)
    {
        var frame = new byte[body.Length + 4];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    private static X509Certificate2 SelfSigned(string commonName, ECDsa key)
    {
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        return X509Certificate2.CreateFromPem(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
