using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;
using Akka.Remote;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Platform;
using Swarm.Node.Clustering;
using Swarm.Node.Configuration;
using Swarm.Node.Identity;
using Swarm.Node.Service;
using Swarm.Tests.Networking;
using AkkaCluster = Akka.Cluster.Cluster;
using AkkaMemberStatus = Akka.Cluster.MemberStatus;

namespace Swarm.Tests.Cluster;

/// <summary>Nodes of one consortium in this process, each with its own copy of the consortium file (an operator edits
/// every member's copy, then reloads each) and its actor system built as <c>SwarmHost</c> builds it: the TLS
/// validator asks the node's <see cref="ConsortiumSource"/>, which the node reloads. Identities are made in process;
/// the blob transport of node i listens on <c>peerPortBase + i</c>, its cluster on that plus <see cref="Offset"/>.
/// Each node's log lines (and its TLS refusals) are kept; its remoting's disassociations are recorded with the time
/// they were seen.</summary>
internal sealed class ReloadCluster : IAsyncDisposable
{
    public const int Offset = 20;
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "swarm-reload-" + Guid.NewGuid().ToString("N"));
    private readonly int _peerPortBase;
    private readonly Dictionary<string, NodeIdentity> _identities = [];
    private readonly List<Running> _running = [];
    private readonly List<NodeIdentity> _retired = [];

    public ReloadCluster(int peerPortBase, params string[] names)
    {
        _peerPortBase = peerPortBase;
        Directory.CreateDirectory(_root);
        Names = names;
        for (var i = 0; i < names.Length; i++)
        {
            _identities[names[i]] = NodeIdentity.Create(names[i], 1);
        }
        Consortium = new Consortium("reload-test", [.. names.Select((n, i) => _identities[n].ToMember(Endpoint(i)))], Version: 1);
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>The consortium every node starts with.</summary>
    public Consortium Consortium { get; }

    public string Endpoint(int index) => $"127.0.0.1:{_peerPortBase + index}";

    public NodeIdentity Identity(string name) => _identities[name];

    /// <summary>Replaces <paramref name="name"/>'s identity by a fresh key pair (its files are written when it starts
    /// next); the running node keeps presenting the old one.</summary>
    public NodeIdentity Rotate(string name)
    {
        _retired.Add(_identities[name]);
        return _identities[name] = NodeIdentity.Create(name, 1);
    }

    /// <summary>Writes <paramref name="consortium"/> into node <paramref name="name"/>'s copy of the file.</summary>
    public void WriteFile(string name, Consortium consortium) => ConsortiumFile.Save(FileOf(name), consortium);

    public string FileOf(string name) => Path.Combine(_root, name, "consortium.conf");

    public Running this[string name] => _running.Last(r => r.Name == name);

    /// <summary>Starts node <paramref name="name"/> with its identity as it is now and its own copy of
    /// <paramref name="consortium"/>.</summary>
    public async Task<Running> StartAsync(string name, Consortium consortium)
    {
        var index = Names.ToList().IndexOf(name);
        var dir = Path.Combine(_root, name);
        var keys = Path.Combine(dir, "keys-" + Guid.NewGuid().ToString("N")[..8]);
        _identities[name].Save(keys, overwrite: true);
        WriteFile(name, consortium);
        var settings = Settings(name, index, dir, keys);
        var log = new ListLogger();
        var loggers = new OneLoggerFactory(log);
        var source = new ConsortiumSource(FileOf(name), ConsortiumFile.Load(FileOf(name)));
        var system = SwarmActorSystem.Create(ClusterRemoting.SystemName, loggers, ClusterNode.ActorSystemConfig(settings, source.Current),
            ClusterNode.SslSetup(_identities[name], source, loggers));
        var running = new Running(name, system, log) { Source = source };
        system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new DisassociationRecorder(running.Disassociated))), typeof(DisassociatedEvent));
        var node = new ClusterNode(settings, loggers, TimeProvider.System, system: system, consortium: source);
        running.Node = node;
        _running.Add(running);
        await node.StartAsync(CancellationToken.None);
        return running;
    }

    /// <summary>The cluster address of <paramref name="name"/>'s member entry in <paramref name="consortium"/>.</summary>
    public static Address AddressOf(Consortium consortium, string name) => ClusterRemoting.AddressOf(consortium.Find(name)!, Offset);

    public static async Task WaitUntilAsync(string phase, Func<bool> done, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"phase '{phase}' not reached within {Patience.TotalSeconds} s; {state?.Invoke()}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Whether <paramref name="observer"/>'s cluster has <paramref name="count"/> members up.</summary>
    public bool AllUp(string observer, int count) =>
        AkkaCluster.Get(this[observer].System).State.Members.Count(m => m.Status == AkkaMemberStatus.Up) == count;

    /// <summary><paramref name="observer"/>'s members and unreachable members, for failure messages.</summary>
    public string View(string observer)
    {
        var state = AkkaCluster.Get(this[observer].System).State;
        return $"{observer} sees [{string.Join(", ", state.Members.Select(m => $"{m.Address.Port} {m.Status}"))}], unreachable [{string.Join(", ", state.Unreachable.Select(m => m.Address.Port))}]";
    }

    /// <summary>Whether <paramref name="observer"/> saw <paramref name="remote"/> disassociate at or after <paramref name="since"/>.</summary>
    public bool SawDisassociated(string observer, Address remote, DateTime since) =>
        this[observer].Disassociated.Any(d => d.Remote == remote && d.At >= since);

    public async ValueTask DisposeAsync()
    {
        foreach (var running in _running)
        {
            await running.Node!.DisposeAsync();
            await running.System.Terminate();
        }
        foreach (var identity in _identities.Values.Concat(_retired))
        {
            identity.Dispose();
        }
        Directory.Delete(_root, recursive: true);
    }

    private NodeSettings Settings(string name, int index, string dir, string keys)
    {
        // Akka.Remote's retry-gate-closed-for stays at its default (5 s): Akka.NET 1.5.50+ shuts a node down when a
        // handshake it dialed fails (TlsHandshakeFailureReason, exit 79), so a survivor must not redial the removed
        // member before Akka.Cluster has removed it; a 200 ms gate made both survivors dial it and exit.
        var text = string.Create(CultureInfo.InvariantCulture, $$"""
            node { id = "{{name}}", data-dir = "{{dir}}/data", signing-key-path = "{{keys}}/signing.key" }
            network { listen-host = "127.0.0.1", listen-port = {{_peerPortBase + index}}, cluster-port-offset = {{Offset}}, reconnect-backoff-min = 50ms, reconnect-backoff-max = 500ms }
            tls { cert-path = "{{keys}}/node.crt", key-path = "{{keys}}/node.key" }
            consortium { file = "{{FileOf(name)}}" }
            gossip { interval = 200ms }
            http { port = 0 }
            """);
        var path = Path.Combine(dir, "node.conf");
        File.WriteAllText(path, text);
        return SwarmConfiguration.Bind(SwarmConfiguration.Build(path, [], new Dictionary<string, string>()));
    }

    /// <summary>One started node: its actor system, its log, and the remote addresses it saw disassociate (with when).</summary>
    public sealed class Running(string name, ActorSystem system, ListLogger log)
    {
        public string Name { get; } = name;

        public ActorSystem System { get; } = system;

        public ListLogger Log { get; } = log;

        public ClusterNode? Node { get; set; }

        /// <summary>The consortium source the node and its TLS validator share.</summary>
        public ConsortiumSource? Source { get; init; }

        public ConcurrentQueue<(Address Remote, DateTime At)> Disassociated { get; } = new();

        public bool Refused(string text) => Log.Lines.Any(l => l.Contains("refused a cluster peer", StringComparison.Ordinal) && l.Contains(text, StringComparison.Ordinal));
    }

    private sealed class DisassociationRecorder : ReceiveActor
    {
        public DisassociationRecorder(ConcurrentQueue<(Address, DateTime)> seen) =>
            Receive<DisassociatedEvent>(e => seen.Enqueue((e.RemoteAddress, DateTime.UtcNow)));
    }

    private sealed class OneLoggerFactory(ListLogger log) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => log;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}
