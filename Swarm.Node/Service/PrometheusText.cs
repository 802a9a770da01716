using System.Globalization;
using System.Text;
using Swarm.Actors.Gossip;
using Swarm.Actors.Membership;

namespace Swarm.Node.Service;

/// <summary>Writes the node's metrics in the Prometheus text exposition format (version 0.0.4).</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(string nodeId, MembershipSnapshot snapshot, TransportCounters transport, TimeSpan uptime)
    {
        var text = new StringBuilder();
        Family(text, "swarm_members", "gauge", "Members of the cluster by status, as this node sees them.");
        foreach (var status in Enum.GetValues<MemberStatus>())
        {
            Sample(text, "swarm_members", $"status=\"{Lower(status)}\"", snapshot.View.CountIn(status));
        }
        Family(text, "swarm_member_phi", "gauge", "Suspicion (phi) of this node's failure detector for each live peer.");
        foreach (var (peer, phi) in snapshot.Phi.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Sample(text, "swarm_member_phi", $"node=\"{peer}\"", Math.Min(phi, 1e9));
        }
        Counter(text, "swarm_gossip_sent_total", "Gossip messages sent.", snapshot.Counters.GossipSent);
        Counter(text, "swarm_gossip_received_total", "Gossip messages received.", snapshot.Counters.GossipReceived);
        Counter(text, "swarm_heartbeats_sent_total", "Membership heartbeats sent.", snapshot.Counters.HeartbeatsSent);
        Counter(text, "swarm_heartbeats_received_total", "Membership heartbeats received.", snapshot.Counters.HeartbeatsReceived);
        Counter(text, "swarm_transport_messages_sent_total", "Actor messages queued to peers.", transport.Sent);
        Counter(text, "swarm_transport_messages_received_total", "Actor messages received from peers and delivered.", transport.Received);
        Counter(text, "swarm_transport_messages_rejected_total", "Actor messages from peers refused at the edge.", transport.Rejected);
        Counter(text, "swarm_transport_messages_dropped_total", "Actor messages not queued (queue full, unknown peer).", transport.Dropped);
        Family(text, "swarm_incarnation", "gauge", "This node's membership incarnation.");
        Sample(text, "swarm_incarnation", $"node=\"{nodeId}\"", snapshot.Self.Incarnation);
        Family(text, "swarm_uptime_seconds", "gauge", "Seconds since the node started.");
        Sample(text, "swarm_uptime_seconds", "", uptime.TotalSeconds);
        return text.ToString();
    }

    public static string Lower(MemberStatus status) => status.ToString().ToLowerInvariant();

    private static void Counter(StringBuilder text, string name, string help, long value)
    {
        Family(text, name, "counter", help);
        Sample(text, name, "", value);
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, string labels, double value) =>
        text.Append(name).Append(labels.Length > 0 ? "{" + labels + "}" : "").Append(' ')
            .Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
}
