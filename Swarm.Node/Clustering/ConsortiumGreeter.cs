using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Platform;
using Swarm.Node.Identity;

namespace Swarm.Node.Clustering;

/// <summary>
/// Compares consortium files with the other members (<c>/user/consortium</c>): when the cluster sees a member up,
/// and after every reload (<see cref="GreetMembers"/>), this node sends it the version and digest of the file it has
/// in force (<see cref="ConsortiumHello"/>, signed like every actor message, so the sender is the member whose key
/// verified it); a member answers a hello with its own. A difference is kept in <see cref="ConsortiumViews"/> (shown
/// by <c>swarm status</c>) and logged as a warning once per difference. The actor only translates: the comparison
/// is <see cref="ConsortiumViews.Heard"/>.
/// </summary>
public sealed class ConsortiumGreeter : ReceiveActor
{
    /// <summary>The greeter's name under <c>/user</c>.</summary>
    public const string Name = "consortium";

    private readonly Cluster _cluster = Cluster.Get(Context.System);

    public ConsortiumGreeter(Func<Consortium> consortium, ConsortiumViews views, int portOffset, ILogger logger)
    {
        var directory = NodeDirectory.For(Context.System);
        void Greet(string memberId, bool reply)
        {
            var own = consortium();
            directory.Remote?.Send(new PeerAddress(memberId, "/user/" + Name), new ConsortiumHello(directory.SelfNode, own.Version, own.Digest, reply));
        }
        string? IdOf(Address address) =>
            consortium().Members.FirstOrDefault(m => ClusterRemoting.AddressOf(m, portOffset) == address)?.Id;

        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.Address != _cluster.SelfAddress && IdOf(up.Member.Address) is { } id)
            {
                Greet(id, reply: false);
            }
        });
        Receive<GreetMembers>(_ =>
        {
            foreach (var member in _cluster.State.Members.Where(m => m.Status == MemberStatus.Up && m.Address != _cluster.SelfAddress))
            {
                if (IdOf(member.Address) is { } id)
                {
                    Greet(id, reply: false);
                }
            }
        });
        Receive<ConsortiumHello>(hello =>
        {
            if (views.Heard(hello, consortium()) is { } mismatch)
            {
                logger.LogWarning("{Mismatch}", mismatch);
            }
            if (!hello.Reply)
            {
                Greet(hello.From, reply: true);
            }
        });
    }

    /// <param name="consortium">The consortium in force now.</param>
    /// <param name="views">Where what each member said is kept.</param>
    /// <param name="portOffset">network.cluster-port-offset (a member's cluster address from its endpoint).</param>
    /// <param name="logger">Where mismatches are logged.</param>
    public static Props Props(Func<Consortium> consortium, ConsortiumViews views, int portOffset, ILogger logger) =>
        Akka.Actor.Props.Create(() => new ConsortiumGreeter(consortium, views, portOffset, logger));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));

    protected override void PostStop() => _cluster.Unsubscribe(Self);
}
