using System.Net;
using Google.Protobuf;
using Swarm.Node.Identity;
using Swarm.Node.Networking;
using Swarm.Node.Networking.Wire;

namespace Swarm.Tests.Networking;

/// <summary>A few in-process transports on loopback (ephemeral ports) sharing one consortium.</summary>
public sealed class LoopbackNodes : IAsyncDisposable
{
    private readonly Dictionary<string, PeerTransport> _transports = [];

    private LoopbackNodes(Dictionary<string, NodeIdentity> identities)
    {
        Identities = identities;
    }

    public Dictionary<string, NodeIdentity> Identities { get; }

    public Dictionary<string, RecordingHandler> Handlers { get; } = [];

    public Dictionary<string, PayloadRouter> Routers { get; } = [];

    public ListLogger Log { get; } = new();

    public Consortium Consortium { get; private set; } = new("test", []);

    public PeerTransport this[string id] => _transports[id];

    public static TransportOptions FastOptions { get; } = new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        ReconnectDelayMin = TimeSpan.FromMilliseconds(20),
        ReconnectDelayMax = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>Starts one transport per id; all are pinned in the consortium.</summary>
    public static LoopbackNodes Start(params string[] ids) => Start(FastOptions, ids);

    public static LoopbackNodes Start(TransportOptions options, params string[] ids)
    {
        var nodes = new LoopbackNodes(ids.ToDictionary(id => id, id => NodeIdentity.Create(id, 1)));
        var placeholder = new Consortium("test", [.. ids.Select(id => nodes.Identities[id].ToMember("127.0.0.1:1"))]);
        foreach (var id in ids)
        {
            nodes.StartNode(id, placeholder, options);
        }
        nodes.Publish(placeholder);
        return nodes;
    }

    /// <summary>Starts (or restarts) one node with its existing identity.</summary>
    public void StartNode(string id, Consortium consortium, TransportOptions? options = null, int port = 0)
    {
        var router = new PayloadRouter();
        var handler = new RecordingHandler();
        router.Route(Envelope.PayloadOneofCase.Actor, handler);
        var transport = new PeerTransport(Identities[id], consortium, options ?? FastOptions, router, Log);
        transport.Start(new IPEndPoint(IPAddress.Loopback, port));
        _transports[id] = transport;
        Handlers[id] = handler;
        Routers[id] = router;
    }

    /// <summary>Writes the real endpoints into the consortium of every running node.</summary>
    public void Publish(Consortium consortium)
    {
        Consortium = consortium with
        {
            Members = [.. consortium.Members.Select(m => _transports.TryGetValue(m.Id, out var t) ? m with { Endpoint = $"127.0.0.1:{t.LocalEndpoint!.Port}" } : m)],
        };
        foreach (var transport in _transports.Values)
        {
            transport.Consortium = Consortium;
        }
    }

    public async Task StopNodeAsync(string id)
    {
        await _transports[id].DisposeAsync();
        _transports.Remove(id);
    }

    public static Envelope Actor(string text, string path = "/user/test") => new()
    {
        ToActorPath = path,
        Actor = new ActorMessage { TypeUrl = "test/text", Body = ByteString.CopyFromUtf8(text) },
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var transport in _transports.Values)
        {
            await transport.DisposeAsync();
        }
        foreach (var identity in Identities.Values)
        {
            identity.Dispose();
        }
    }
}
