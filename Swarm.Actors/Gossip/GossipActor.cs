using Microsoft.Extensions.Logging;
using Swarm.Actors.Membership;
using Swarm.Actors.Runtime;

namespace Swarm.Actors.Gossip;

/// <summary>The membership actor of a node: a thin adapter over <see cref="MembershipState"/>. It turns timer
/// ticks, gossip and heartbeats into calls on the state with the time from the system's
/// <see cref="TimeProvider"/>, sends what the state returns to the gossip actors of other nodes
/// (<c>swarm://peer/user/gossip</c>, through the remote transport), logs and publishes every
/// <see cref="MemberChanged"/> on the event stream.</summary>
public sealed class GossipActor : Actor
{
    private readonly GossipActorOptions _options;
    private readonly MembershipState _state;
    private readonly long _started;
    private long _gossipSent;
    private long _gossipReceived;
    private long _heartbeatsSent;
    private long _heartbeatsReceived;

    public GossipActor(GossipActorOptions options)
    {
        _options = options;
        _state = new MembershipState(Context.System.Name, options.Incarnation, options.Seeds, options.Membership, new Random(options.RandomSeed));
        _started = Context.System.TimeProvider.GetTimestamp();
    }

    public static Props Props(GossipActorOptions options) => Runtime.Props.Create(() => new GossipActor(options));

    private TimeSpan Now => Context.System.TimeProvider.GetElapsedTime(_started);

    protected internal override void PreStart()
    {
        Context.Log.LogInformation("member {Self} joining through {Seeds}", _state.Self, string.Join(", ", _options.Seeds));
        Context.Timers.StartPeriodicTimer(GossipRound.Instance, GossipRound.Instance, _options.Interval, TimeSpan.Zero);
    }

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case GossipRound:
                CarryOut(_state.Tick(Now));
                break;
            case GossipPayload gossip:
                _gossipReceived++;
                CarryOut(_state.OnGossip(gossip, Now));
                break;
            case Heartbeat heartbeat:
                _heartbeatsReceived++;
                _state.OnHeartbeat(heartbeat, Now);
                break;
            case GetMembership:
                Sender.Tell(Snapshot());
                break;
            case LeaveCluster:
                CarryOut(_state.Leave(Now));
                Sender.Tell(new LeftCluster(_state.Self));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private MembershipSnapshot Snapshot()
    {
        var now = Now;
        var phi = _state.View.Members.Values.Where(m => m.NodeId != _state.SelfId && m.IsAlive)
            .ToDictionary(m => m.NodeId, m => _state.PhiOf(m.NodeId, now), StringComparer.Ordinal);
        return new MembershipSnapshot(_state.Self, _state.View, phi,
            new GossipCounters(_gossipSent, _gossipReceived, _heartbeatsSent, _heartbeatsReceived));
    }

    private void CarryOut(IReadOnlyList<MembershipOutput> outputs)
    {
        foreach (var output in outputs)
        {
            switch (output)
            {
                case SendGossip send:
                    _gossipSent++;
                    PeerGossipActor(send.To).Tell(send.Gossip, Self);
                    break;
                case SendHeartbeat send:
                    _heartbeatsSent++;
                    PeerGossipActor(send.To).Tell(send.Heartbeat, Self);
                    break;
                case MemberChanged changed:
                    Context.Log.LogInformation("member {Member} is {Status} (was {Previous})",
                        changed.Current.NodeId, changed.Current, changed.Previous?.ToString() ?? "unknown");
                    Context.System.EventStream.Publish(changed);
                    break;
            }
        }
    }

    private ActorRef PeerGossipActor(string nodeId) =>
        Context.System.ResolvePath(ActorPath.Root(nodeId).Child("user").Child(GossipActorOptions.ActorName));
}
