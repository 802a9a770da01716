using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;
using Swarm.Node.Identity;

namespace Swarm.Node.Clustering;

/// <summary>Closes the cluster links of members that left the consortium file (or whose pinned key or endpoint
/// changed) at once, instead of waiting for them to fail: each is downed (Akka.Cluster removes it, and a downed
/// member must restart to join again) and its association is quarantined, which stops Akka.Remote's endpoint to it
/// now and refuses that incarnation for good. A new connection from it then meets the TLS validator, which asks the
/// reloaded consortium and refuses it (<see cref="ClusterRemoting.Ssl(NodeIdentity, Func{Consortium}, Action{string})"/>).</summary>
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
            // Without the uid the address is only gated, and the member could come back once the gate lifts.
            provider.Quarantine(address, entry?.UniqueAddress.Uid);
            closed.Add(entry is null
                ? $"'{id}' ({address}) was not in the cluster; its address is gated"
                : $"'{id}' ({address}, uid {entry.UniqueAddress.Uid}) downed and quarantined");
        }
        return closed;
    }
}
