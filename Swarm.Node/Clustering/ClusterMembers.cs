using Akka.Actor;
using Akka.Cluster;
using Swarm.Node.Identity;
using Swarm.Node.Service;
using AkkaMemberStatus = Akka.Cluster.MemberStatus;

namespace Swarm.Node.Clustering;

/// <summary>
/// The members of the consortium as this node's Akka.Cluster sees them now, for <c>GET /health</c>,
/// <c>swarm status</c> and /metrics. Every member of the consortium is listed, by its node id (its cluster address
/// is its consortium endpoint, <see cref="ClusterRemoting.AddressOf"/>): its cluster status in lower case
/// (joining, weaklyup, up, leaving, exiting, down), <c>unreachable</c> when this node's failure detector or another
/// member's marks it so, <c>absent</c> when it is not in the cluster now (not started, left, or removed after being
/// downed); and its <c>uid</c> (Akka's unique id of the member's actor system, new at every start). Akka.Cluster's
/// phi accrual failure detector decides reachability, but Akka.NET 1.5 does not expose a member's φ value
/// (<c>DefaultFailureDetectorRegistry.GetFailureDetector</c> is internal), so reachability is what is reported.
/// </summary>
public static class ClusterMembers
{
    public const string Absent = "absent";
    public const string Unreachable = "unreachable";

    /// <param name="system">This node's actor system.</param>
    /// <param name="consortium">The consortium in force.</param>
    /// <param name="portOffset">network.cluster-port-offset.</param>
    /// <param name="views">What each member said of its consortium file (<see cref="ConsortiumGreeter"/>); null: not known.</param>
    /// <param name="selfId">This node's id: its own row shows the file in force here.</param>
    public static IReadOnlyList<MemberReport> Of(ActorSystem system, Consortium consortium, int portOffset, ConsortiumViews? views = null, string? selfId = null)
    {
        ArgumentNullException.ThrowIfNull(consortium);
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var byAddress = state.Members.ToDictionary(m => m.Address);
        var reports = new List<MemberReport>();
        foreach (var member in consortium.Members)
        {
            var address = ClusterRemoting.AddressOf(member, portOffset);
            if (!byAddress.TryGetValue(address, out var entry))
            {
                reports.Add(new MemberReport(member.Id, 0, Absent));
                continue;
            }
            var status = unreachable.Contains(address) && entry.Status is AkkaMemberStatus.Up or AkkaMemberStatus.WeaklyUp or AkkaMemberStatus.Joining
                ? Unreachable
                : Lower(entry.Status);
            reports.Add(new MemberReport(member.Id, entry.UniqueAddress.Uid, status));
        }
        return [.. reports.Select(r => WithConsortium(r, consortium, views, selfId))];
    }

    private static MemberReport WithConsortium(MemberReport report, Consortium consortium, ConsortiumViews? views, string? selfId)
    {
        if (report.Node == selfId)
        {
            return report with { Consortium = consortium.VersionLabel };
        }
        return views?.Of(report.Node) is { } said
            ? report with { Consortium = said.Label, ConsortiumMismatch = !ConsortiumViews.Matches(said, consortium) }
            : report;
    }

    /// <summary>This node's own cluster status (<c>absent</c> before it joined and after it left).</summary>
    public static string SelfStatus(ActorSystem system)
    {
        var self = Cluster.Get(system).SelfMember;
        return self.Status == AkkaMemberStatus.Removed ? Absent : Lower(self.Status);
    }

    public static string Lower(AkkaMemberStatus status) => status.ToString().ToLowerInvariant();
}
