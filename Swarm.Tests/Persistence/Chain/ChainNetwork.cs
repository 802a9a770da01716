using System.Collections.Concurrent;
using Akka.Actor;
using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;
using Swarm.Tests.Consensus;
using Swarm.Tests.Consensus.Simulation;

namespace Swarm.Tests.Persistence.Chain;

/// <summary>
/// A four-member chain whose replica 0 is a <see cref="ChainActor"/> under test and whose replicas 1-3 are pure
/// replicas driven by a <see cref="PbftHarness"/> on the test's thread. Replica 0 is the primary of view 0. What
/// the chain actor sends is queued (with what the test's journal had stored at that moment, see
/// <see cref="DurableAtSend"/>) and delivered by <see cref="RunUntilAsync"/>; the harness replicas' messages to
/// replica 0 go to the actor as <see cref="ChainPacket"/>s. The harness replicas outlive actor systems, as the
/// other nodes of a chain outlive one node's restart.
/// </summary>
internal sealed class ChainNetwork
{
    private readonly ConcurrentQueue<(int? To, byte[] Message)> _fromChain = new();

    public PbftHarness Harness { get; } = new();

    public Genesis Genesis => Harness.Genesis;

    /// <summary>Every message the chain actor sent, decoded, in order.</summary>
    public ConcurrentQueue<PbftMessage> Sent { get; } = new();

    /// <summary>Called as each message leaves the chain actor; a test records what its journal held then.</summary>
    public Action<PbftMessage>? DurableAtSend { get; set; }

    /// <summary>The chain actor the harness replicas talk to (set when a life starts).</summary>
    public IActorRef Chain { get; set; } = ActorRefs.Nobody;

    /// <summary>Replica 0's options; its timers are long, so that only the test moves it between views.</summary>
    public ChainActorOptions Options => new()
    {
        Genesis = Genesis,
        ReplicaIndex = 0,
        ReplicaOptions = PbftHarness.Options with { RequestTimeoutTicks = 100_000, ViewChangeTimeoutTicks = 100_000 },
        Signer = FakeSignatureScheme.CreateSigner(0),
        Verifier = Harness.Verifier,
        Clients = PbftHarness.Clients,
        Send = (to, message, _) => Leave(to, message),
        Broadcast = (message, _) => Leave(null, message),
        TickInterval = TimeSpan.FromMilliseconds(20),
    };

    private void Leave(int? to, byte[] message)
    {
        Assert.True(MessageCodec.TryDecode(message, out var signed, out var error), error);
        var decoded = signed!.Message;
        DurableAtSend?.Invoke(decoded);
        Sent.Enqueue(decoded);
        _fromChain.Enqueue((to, message));
    }

    /// <summary>Moves messages between the chain actor and the harness replicas until <paramref name="done"/> holds.</summary>
    public async Task RunUntilAsync(Func<bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"chain network: {what} did not happen; replica 0 sent {Sent.Count} messages; " +
                    string.Join("; ", Harness.Replicas.Skip(1).Select(r => r.Status.ToString())));
            }
            if (!Step())
            {
                await Task.Delay(5);
            }
        }
    }

    /// <summary>Delivers what is queued once; false when nothing was.</summary>
    private bool Step()
    {
        var moved = false;
        while (_fromChain.TryDequeue(out var item))
        {
            moved = true;
            MessageCodec.TryDecode(item.Message, out var signed, out _);
            foreach (var to in item.To is { } one ? [one] : new[] { 1, 2, 3 })
            {
                Harness.Deliver(to, signed!);
            }
        }
        for (var sender = 1; sender < 4; sender++)
        {
            foreach (var (to, message) in Harness.TakeOutbox(sender))
            {
                moved = true;
                foreach (var target in to is { } one ? [one] : Enumerable.Range(0, 4).Where(i => i != sender))
                {
                    if (target == 0)
                    {
                        Chain.Tell(new ChainPacket("replica-" + sender, MessageCodec.Encode(message)), ActorRefs.NoSender);
                    }
                    else
                    {
                        Harness.Deliver(target, message);
                    }
                }
            }
        }
        return moved;
    }
}
