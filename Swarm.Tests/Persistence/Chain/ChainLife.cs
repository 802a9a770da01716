using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Swarm.Actors.Consensus;
using Swarm.Actors.Platform;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Persistence.Chain;

/// <summary>One life of replica 0's node: an actor system on a journal, the chain actor under a
/// <see cref="ChainParent"/>, and what the chain told its parent.</summary>
internal sealed class ChainLife : IAsyncDisposable
{
    private readonly ConcurrentQueue<object> _toParent = new();

    private ChainLife(ActorSystem system) => System = system;

    public ActorSystem System { get; }

    public IActorRef Chain { get; private set; } = ActorRefs.Nobody;

    /// <summary>The chain as the journal gave it back when this life started.</summary>
    public ChainRecovered Recovered { get; private set; } = null!;

    /// <summary>Every block the chain reported to its parent, in order.</summary>
    public List<Committed> Committed { get; } = [];

    public bool Terminated { get; private set; }

    public static async Task<ChainLife> StartAsync(ChainNetwork network, Config journal)
    {
        var life = new ChainLife(SwarmActorSystem.Create("node-0", overrides: journal));
        var recorder = life.System.ActorOf(Props.Create(() => new Recorder(life._toParent)));
        life.System.ActorOf(ChainParent.Props(ChainActor.Props(network.Options), recorder));
        await network.RunUntilAsync(() => life.Drain() && life.Chain != ActorRefs.Nobody, "the chain actor's start");
        network.Chain = life.Chain;
        await network.RunUntilAsync(() => life.Drain() && (life.Recovered is not null || life.Terminated), "the chain's recovery");
        return life;
    }

    /// <summary>Submits <paramref name="request"/> and moves messages until the chain reports height
    /// <paramref name="height"/>.</summary>
    public async Task CommitAsync(ChainNetwork network, ClientRequest request, long height)
    {
        Chain.Tell(new ChainSubmit(request), ActorRefs.NoSender);
        await network.RunUntilAsync(() => Drain() && Height >= height, $"the commit of height {height}");
    }

    public long Height => Committed.Count == 0 ? Recovered.Blocks.Count : Committed[^1].Block.Block.Height;

    public Task<ReplicaStatus> StatusAsync() => Chain.Ask<ReplicaStatus>(GetChainStatus.Instance, TimeSpan.FromSeconds(10));

    /// <summary>Takes what reached the parent; always true, so that it can sit in a wait's condition.</summary>
    public bool Drain()
    {
        while (_toParent.TryDequeue(out var message))
        {
            switch (message)
            {
                case ChainParent.Started started:
                    Chain = started.Chain;
                    break;
                case ChainRecovered recovered:
                    Assert.Null(Recovered);
                    Recovered = recovered;
                    break;
                case ChainBlocksCommitted committed:
                    Committed.AddRange(committed.Blocks);
                    break;
                case ChainParent.Stopped:
                    Terminated = true;
                    break;
            }
        }
        return true;
    }

    public async ValueTask DisposeAsync() => await System.Terminate();

    private sealed class Recorder(ConcurrentQueue<object> queue) : UntypedActor
    {
        protected override void OnReceive(object message) => queue.Enqueue(message);
    }
}
