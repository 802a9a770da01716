using System.Globalization;
using Swarm.Node.Identity;

namespace Swarm.Tests.Cluster;

/// <summary>A temporary directory with what an operator prepares for a cluster of loopback nodes, made with the
/// real commands: one identity per node (<c>swarm keygen</c>), the consortium file pinning them all
/// (<c>swarm consortium init/add</c>), and one node.conf each with short gossip and failure-detector timings.
/// Deleted on dispose.</summary>
internal sealed class ClusterFiles : IDisposable
{
    /// <summary>Ports of this test's range (27800-27899, below Linux's ephemeral range 32768-60999 so that no port-0 socket of a parallel test can take them): peer transport at PeerPortBase + i, HTTP at HttpPortBase + i.</summary>
    public const int PeerPortBase = 27800;
    public const int HttpPortBase = 27840;

    public ClusterFiles(int size)
    {
        Root = Path.Combine(Path.GetTempPath(), "swarm-cluster-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Names = Enumerable.Range(0, size).Select(i => $"node-{(char)('a' + i)}").ToList();
        SwarmCliProcess.Run("consortium", "init", "--name", "loopback-test", "--file", ConsortiumPath);
        for (var i = 0; i < size; i++)
        {
            AddMember(ConsortiumPath, Path.Combine(Root, Names[i]), Names[i], $"127.0.0.1:{PeerPortBase + i}");
        }
        for (var i = 0; i < size; i++)
        {
            File.WriteAllText(ConfigPath(i), NodeConf(i));
        }
    }

    public string Root { get; }

    public IReadOnlyList<string> Names { get; }

    public string ConsortiumPath => Path.Combine(Root, "consortium.conf");

    public string ConfigPath(int index) => Path.Combine(Root, Names[index] + ".conf");

    public static int HttpPort(int index) => HttpPortBase + index;

    /// <summary>Makes a node's keys in <paramref name="dir"/> with the real <c>swarm keygen</c> and adds the node to
    /// the consortium file with <c>swarm consortium add</c>, as an operator would.</summary>
    public static void AddMember(string consortium, string dir, string name, string endpoint)
    {
        SwarmCliProcess.Run("keygen", "--out", dir, "--node-id", name);
        SwarmCliProcess.Run("consortium", "add", "--file", consortium, "--id", name, "--endpoint", endpoint,
            "--cert", Path.Combine(dir, NodeIdentity.CertificateFileName), "--signing-key", Path.Combine(dir, NodeIdentity.SigningPublicKeyFileName));
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>A node's file: loopback ports, its identity, the consortium, and timings short enough for a test
    /// but with an acceptable pause that tolerates a busy 2-core CI machine.</summary>
    private string NodeConf(int i)
    {
        var dir = Path.Combine(Root, Names[i]);
        return string.Create(CultureInfo.InvariantCulture, $$"""
            node { id = "{{Names[i]}}", data-dir = "{{dir}}/data", signing-key-path = "{{dir}}/signing.key" }
            network { listen-host = "127.0.0.1", listen-port = {{PeerPortBase + i}}, reconnect-backoff-min = 50ms, reconnect-backoff-max = 500ms }
            tls { cert-path = "{{dir}}/node.crt", key-path = "{{dir}}/node.key" }
            consortium { file = "{{ConsortiumPath}}" }
            gossip { interval = 200ms, phi-threshold = 8, acceptable-heartbeat-pause = 1s, min-std-deviation = 100ms, down-after = 3s }
            http { port = {{HttpPort(i)}} }
            logging { level = information }
            """);
    }
}
