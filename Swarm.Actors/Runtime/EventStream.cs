namespace Swarm.Actors.Runtime;

/// <summary>
/// Publish/subscribe by type for the whole system: dead letters, unhandled messages and, later, log and cluster
/// events. A subscriber gets every published event assignable to the type it subscribed to. Actors subscribe with
/// their ref (events are told to them, and the subscription ends when they stop); plain code subscribes with a
/// callback, which runs on the publisher's thread and must be quick.
/// </summary>
public sealed class EventStream
{
    private readonly Lock _gate = new();
    private Subscription[] _subscriptions = [];

    /// <summary>Tell <paramref name="subscriber"/> every event that is a <paramref name="eventType"/>.</summary>
    public void Subscribe(ActorRef subscriber, Type eventType)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(eventType);
        Add(new Subscription(eventType, subscriber, null));
    }

    /// <summary>Call <paramref name="handler"/> for every event that is a <typeparamref name="T"/>; dispose the
    /// result to unsubscribe.</summary>
    public IDisposable Subscribe<T>(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription(typeof(T), null, evt => handler((T)evt));
        Add(subscription);
        return new Unsubscriber(this, subscription);
    }

    /// <summary>Stop telling <paramref name="subscriber"/> anything.</summary>
    public void Unsubscribe(ActorRef subscriber) => RemoveWhere(s => subscriber.Equals(s.Actor));

    /// <summary>Hand <paramref name="evt"/> to every matching subscriber.</summary>
    public void Publish(object evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var type = evt.GetType();
        foreach (var subscription in Volatile.Read(ref _subscriptions))
        {
            if (!subscription.EventType.IsAssignableFrom(type))
            {
                continue;
            }
            if (subscription.Actor is { } actor)
            {
                actor.Tell(evt);
            }
            else
            {
                subscription.Callback!(evt);
            }
        }
    }

    private void Add(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }
    }

    private void RemoveWhere(Func<Subscription, bool> match)
    {
        lock (_gate)
        {
            // Every stopping actor unsubscribes; most never subscribed, so copy only when something matches.
            if (_subscriptions.Any(match))
            {
                _subscriptions = [.. _subscriptions.Where(s => !match(s))];
            }
        }
    }

    private sealed record Subscription(Type EventType, ActorRef? Actor, Action<object>? Callback);

    private sealed class Unsubscriber(EventStream stream, Subscription subscription) : IDisposable
    {
        public void Dispose() => stream.RemoveWhere(s => ReferenceEquals(s, subscription));
    }
}
