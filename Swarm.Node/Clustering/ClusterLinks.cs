using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;
using Swarm.Node.Identity;

namespace Swarm.Node.Clustering;

/// <summary>Closes the cluster links of members that left the consortium file (or whose pinned key or endpoint
/// changed) at once, instead of waiting for them to fail: each is downed (Akka.Cluster removes it, and a downed
/// member must restart to join again) and Akka.Remote's endpoint to its address is stopped and the address gated,
/// which drops the association now. A new connection from it then meets the TLS validator, which asks the reloaded
/// consortium and refuses it (<see cref="ClusterRemoting.Ssl(NodeIdentity, Func{Consortium}, Action{string})"/>).
/// The association is not quarantined by uid here: a quarantine is announced to the other side, whose split-brain
/// resolver then downs itself and every member it sees (Akka's DownSelfQuarantinedByRemote); Akka.Cluster quarantines
/// the member by uid itself once it is removed.
/// Hazard (Akka.NET 1.5.50 and later): a node whose own dial fails the TLS handshake runs CoordinatedShutdown
/// (TlsHandshakeFailureReason, exit code 79). A survivor must therefore not dial the removed member again before
/// Akka.Cluster has removed it: the gate lasts <c>akka.remote.retry-gate-closed-for</c> (5 s by default), and removal
/// takes a leader action after gossip convergence (about a second); with a 200 ms gate both survivors of the test
/// dialed the removed member, refused its certificate and shut down.</summary>
public static class ClusterLinks
{
    /// <summary>Downs and quarantines each of <paramref name="memberIds"/> (their addresses as listed in
    /// <paramref name="before"/>, the consortium they were admitted under); returns one line per member for the log.</summary>
    public static IReadOnlyList<string> Close(ActorSystem system, Consortium before, IEnumerable<string> memberIds, int portOffset)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(memberIds);
        var cluster = Cluster.Get(system);
        var provider = ((ExtendedActorSystem)system).Provider as RemoteActorRefProvider
            ?? throw new InvalidOperationException("the actor system does not use Akka.Remote");
        var state = cluster.State;
        var closed = new List<string>();
        foreach (var id in memberIds)
        {
            if (before.Find(id) is not { } member)
            {
                continue;
            }
            var address = ClusterRemoting.AddressOf(member, portOffset);
            if (address == cluster.SelfAddress)
            {
                continue;
            }
            var entry = state.Members.Concat(state.Unreachable).FirstOrDefault(m => m.Address == address);
            if (entry is not null)
            {
                cluster.Down(address);
            }
            // No uid: the endpoint stops and the address is gated, without a quarantine message to the other side.
            provider.Quarantine(address, null);
            closed.Add(entry is null
                ? $"'{id}' ({address}) was not in the cluster; its address is gated"
                : $"'{id}' ({address}, uid {entry.UniqueAddress.Uid}) downed, its association dropped");
        }
        return closed;
    }
}
