using Microsoft.Extensions.Logging;
using Swarm.Actors.Membership;
using Akka.Actor;
using Swarm.Actors.Platform;

namespace Swarm.Actors.Gossip;

/// <summary>The membership actor of a node: a thin adapter over <see cref="MembershipState"/>. It turns timer
/// ticks, gossip and heartbeats into calls on the state with the time from the system's
/// scheduler's clock, sends what the state returns to the gossip actors of other nodes
/// (<c>swarm://peer/user/gossip</c>, through the remote transport), logs and publishes every
/// <see cref="MemberChanged"/> on the event stream.</summary>
public sealed class GossipActor : SwarmActor
{
    private readonly GossipActorOptions _options;
    private readonly MembershipState _state;
    private readonly DateTimeOffset _started;
    private long _gossipSent;
    private long _gossipReceived;
    private long _heartbeatsSent;
    private long _heartbeatsReceived;

    public GossipActor(GossipActorOptions options)
    {
        _options = options;
        _state = new MembershipState(Context.System.Name, options.Incarnation, options.Seeds, options.Membership, new Random(options.RandomSeed));
        _started = Context.System.Scheduler.Now;
    }

    public static Props Props(GossipActorOptions options) => Akka.Actor.Props.Create(() => new GossipActor(options));

    /// <summary>Time since start on the scheduler's clock (the test scheduler moves it in tests).</summary>
    private TimeSpan Elapsed => Context.System.Scheduler.Now - _started;

    protected override void PreStart()
    {
        Log.LogInformation("member {Self} joining through {Seeds}", _state.Self, string.Join(", ", _options.Seeds));
        Timers.StartPeriodicTimer(GossipRound.Instance, GossipRound.Instance, TimeSpan.Zero, _options.Interval);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case GossipRound:
                CarryOut(_state.Tick(Elapsed));
                break;
            case GossipPayload gossip:
                _gossipReceived++;
                CarryOut(_state.OnGossip(gossip, Elapsed));
                break;
            case Heartbeat heartbeat:
                _heartbeatsReceived++;
                _state.OnHeartbeat(heartbeat, Elapsed);
                break;
            case GetMembership:
                Sender.Tell(Snapshot());
                break;
            case LeaveCluster:
                CarryOut(_state.Leave(Elapsed));
                Sender.Tell(new LeftCluster(_state.Self));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private MembershipSnapshot Snapshot()
    {
        var now = Elapsed;
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
                    Log.LogInformation("member {Member} is {Status} (was {Previous})",
                        changed.Current.NodeId, changed.Current, changed.Previous?.ToString() ?? "unknown");
                    Publish(changed);
                    break;
            }
        }
    }

    private IActorRef PeerGossipActor(string nodeId) =>
        NodeDirectory.For(Context.System).Resolve(new PeerAddress(nodeId, "/user/" + GossipActorOptions.ActorName));
}
