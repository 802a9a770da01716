using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using Swarm.Node.Configuration;
using Swarm.Node.Identity;
using Swarm.Node.Networking;

namespace Swarm.Node.Clustering;

/// <summary>
/// How a node of a consortium joins the others: Akka.Remote over DotNetty TCP with TLS, both ends presenting their
/// certificate (mutual authentication) and each accepting the other only when its key is pinned in the consortium
/// file (<see cref="PeerAuthenticator"/>: no CA, the pin is the trust anchor), and Akka.Cluster on top for
/// membership and failure detection, seeded with every member of the consortium. Every node's actor system has the
/// same name (<see cref="SystemName"/>, a cluster requires it); a member's cluster address is the host of its
/// consortium endpoint and that endpoint's port plus <c>network.cluster-port-offset</c>, which is therefore one
/// value for the whole consortium.
/// </summary>
public static class ClusterRemoting
{
    /// <summary>The name of every node's actor system in a consortium.</summary>
    public const string SystemName = "swarm";

    /// <summary>The scheme of Akka.Remote addresses over DotNetty TCP with TLS.</summary>
    public const string Protocol = "akka.ssl.tcp";

    /// <summary>Largest Akka.Remote frame: actor messages carry hashes, never weights (those go by blob transfer).</summary>
    public const int FrameBytesMax = 4 * 1024 * 1024;

    /// <summary>The cluster address of <paramref name="member"/>.</summary>
    public static Address AddressOf(ConsortiumMember member, int portOffset)
    {
        ArgumentNullException.ThrowIfNull(member);
        var (host, port) = member.HostAndPort;
        return new Address(Protocol, SystemName, host, port + portOffset);
    }

    /// <summary>Null when every member's endpoint port plus <paramref name="portOffset"/> is a TCP port; otherwise
    /// the problem, naming the member.</summary>
    public static string? PortProblem(Consortium consortium, int portOffset)
    {
        ArgumentNullException.ThrowIfNull(consortium);
        var bad = consortium.Members.FirstOrDefault(m => m.HostAndPort.Port + portOffset is <= 0 or > 65535);
        return bad is null ? null
            : $"member '{bad.Id}' listens on port {bad.HostAndPort.Port}, and with network.cluster-port-offset = {portOffset} its cluster port would be {bad.HostAndPort.Port + portOffset}, not a TCP port";
    }

    /// <summary>The <c>akka { }</c> settings of a consortium node (the node's own <c>akka { }</c> section still takes
    /// precedence): cluster provider, TLS remoting bound to <c>network.listen-host</c> and advertised as the
    /// consortium's endpoint of this node, every member as a seed, Akka's phi accrual failure detector tuned by the
    /// <c>gossip { }</c> settings, and the split-brain resolver's keep-majority strategy (docs/networking.md).</summary>
    public static Config Config(NodeSettings settings, Consortium consortium)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(consortium);
        var offset = settings.Network.ClusterPortOffset;
        var self = AddressOf(consortium.Find(settings.Node.Id)
            ?? throw new ArgumentException($"node '{settings.Node.Id}' is not a member of consortium '{consortium.Name}'", nameof(consortium)), offset);
        var seeds = string.Join(", ", consortium.Members.Select(m => Quote(AddressOf(m, offset).ToString())));
        var gossip = settings.Gossip;
        return ConfigurationFactory.ParseString(string.Create(CultureInfo.InvariantCulture, $$"""
            akka {
              actor.provider = cluster
              remote {
                dot-netty.tcp {
                  hostname = {{Quote(settings.Network.ListenHost)}}
                  port = {{(settings.Network.ListenPort == 0 ? self.Port : settings.Network.ListenPort + offset)}}
                  public-hostname = {{Quote(self.Host!)}}
                  public-port = {{self.Port}}
                  enable-ssl = on
                  maximum-frame-size = {{FrameBytesMax}}b
                  send-buffer-size = {{FrameBytesMax}}b
                  receive-buffer-size = {{FrameBytesMax}}b
                }
              }
              cluster {
                seed-nodes = [{{seeds}}]
                gossip-interval = {{Millis(gossip.Interval)}}
                run-coordinated-shutdown-when-down = off
                failure-detector {
                  heartbeat-interval = {{Millis(gossip.Interval)}}
                  threshold = {{gossip.PhiThreshold}}
                  acceptable-heartbeat-pause = {{Millis(gossip.AcceptableHeartbeatPause)}}
                  min-std-deviation = {{Millis(gossip.MinStdDeviation)}}
                }
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = {{Millis(gossip.DownAfter)}}
                }
              }
            }
            """));
    }

    /// <summary>The TLS setup of Akka.Remote: this node's certificate, mutual authentication required, and the
    /// consortium pin as the only check (chain and host name errors are expected of self-signed certificates).</summary>
    /// <param name="identity">This node's certificate (with its private key).</param>
    /// <param name="consortium">The pins.</param>
    /// <param name="refused">Told why a peer was refused (ids and fingerprints only).</param>
    public static DotNettySslSetup Ssl(NodeIdentity identity, Consortium consortium, Action<string> refused)
    {
        ArgumentNullException.ThrowIfNull(consortium);
        return Ssl(identity, () => consortium, refused);
    }

    /// <summary>Like <see cref="Ssl(NodeIdentity, Consortium, Action{string})"/>, asking <paramref name="consortium"/>
    /// at every handshake, so that a reloaded consortium file (<see cref="ConsortiumSource"/>) decides the next one.</summary>
    /// <param name="identity">This node's certificate (with its private key).</param>
    /// <param name="consortium">The pins in force now.</param>
    /// <param name="refused">Told why a peer was refused (ids and fingerprints only).</param>
    public static DotNettySslSetup Ssl(NodeIdentity identity, Func<Consortium> consortium, Action<string> refused)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(consortium);
        ArgumentNullException.ThrowIfNull(refused);
        return new DotNettySslSetup(identity.Certificate, suppressValidation: false, requireMutualAuthentication: true,
            customValidator: (certificate, _, _, _, _) =>
            {
                var refusal = PeerAuthenticator.Refusal(consortium(), certificate, null);
                if (refusal is not null)
                {
                    refused(refusal);
                }
                return refusal is null;
            });
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Millis(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalMilliseconds}ms");
}
