using Akka.Actor;
using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;
using Swarm.Tasks;
using Swarm.Tasks.DataVectors;

namespace Swarm.Actors.Tasks;

/// <summary>Everything one site's data-vector task peer is made of (<see cref="DataVectorPeerActor"/>): the chain
/// (genesis, terms, the sites' keys), this site's signer, its peers, the pinned pre-trained model, its trainer,
/// its blob store and the fetcher of its peers' blobs, and when it publishes.</summary>
public sealed record DataVectorPeerContext
{
    public required TaskSpec Spec { get; init; }

    /// <summary>This site's id (its node id in a cluster).</summary>
    public required string Self { get; init; }

    public required Genesis Genesis { get; init; }

    public required DataVectorTaskTerms Terms { get; init; }

    /// <summary>Each site's signing key, in the order of <see cref="DataVectorTaskTerms.Sites"/>.</summary>
    public required IReadOnlyList<byte[]> PublicKeys { get; init; }

    public required ISigner Signer { get; init; }

    public required ISignatureVerifier Verifier { get; init; }

    /// <summary>The task peer of another site (<c>swarm://node/user/tasks/id</c> in a cluster).</summary>
    public required Func<string, IActorRef> Peer { get; init; }

    /// <summary>θ_pre: its hash is the terms' <see cref="DataVectorTaskTerms.BaseHash"/>.</summary>
    public required float[] Pretrained { get; init; }

    /// <summary>The trainable prefix of the layout that merges add up (−1: all).</summary>
    public int MergedLength { get; init; } = -1;

    /// <summary>Builds the site's trainer over its own data (called when the peer starts).</summary>
    public required Func<DataVectorTrainer> Trainer { get; init; }

    /// <summary>Vectors (<see cref="BlobKind.Update"/>) and merged models (<see cref="BlobKind.Model"/>).</summary>
    public required ITaskBlobs Blobs { get; init; }

    public required ITaskBlobFetcher Fetcher { get; init; }

    /// <summary>When set, fine-tuning waits for it.</summary>
    public SemaphoreSlim? ComputeGate { get; init; }

    /// <summary>This site's publication times after the peer starts (the spec's schedule for it).</summary>
    public IReadOnlyList<TimeSpan> Publications { get; init; } = [TimeSpan.Zero];

    /// <summary>The replica's timers, as a round task's (<see cref="TaskPeerContext.ReplicaOptions"/>).</summary>
    public ReplicaOptions ReplicaOptions { get; init; } = new()
    {
        RequestTimeoutTicks = 200, ViewChangeTimeoutTicks = 100, FetchTimeoutTicks = 20, ViewChangeBackoffShiftMax = 3,
    };

    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How often missing vectors are asked for again.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);
}
