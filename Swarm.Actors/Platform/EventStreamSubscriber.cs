using Akka.Actor;

namespace Swarm.Actors.Platform;

/// <summary>Calls a delegate for each event of one type on a system's event stream (from a small actor, one event
/// at a time), for code outside the actor system: simulations and hosts.</summary>
public static class EventStreamSubscriber
{
    /// <summary>Subscribes <paramref name="handler"/> to events of type <typeparamref name="T"/>; stop the returned
    /// actor to unsubscribe.</summary>
    public static IActorRef Subscribe<T>(ActorSystem system, Action<T> handler) =>
        Subscribe(system, e => handler((T)e), typeof(T));

    /// <summary>Subscribes one handler to events of several types through one actor, so events that one actor
    /// published reach <paramref name="handler"/> in the order it published them, whatever their types.</summary>
    public static IActorRef Subscribe(ActorSystem system, Action<object> handler, params Type[] types)
    {
        var actor = system.ActorOf(Props.Create(() => new Relay(handler)));
        foreach (var type in types)
        {
            system.EventStream.Subscribe(actor, type);
        }
        return actor;
    }

    private sealed class Relay(Action<object> handler) : UntypedActor
    {
        protected override void OnReceive(object message) => handler(message);
    }
}
