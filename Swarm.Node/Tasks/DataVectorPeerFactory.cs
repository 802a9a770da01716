using Swarm.Actors.Consensus;
using Akka.Actor;
using Swarm.Actors.Platform;
using Swarm.Actors.Tasks;
using Swarm.Actors.Training;
using Swarm.Learning.DataVectors;
using Swarm.Learning.Training;
using Swarm.Node.Identity;
using Swarm.Tasks;
using Swarm.Tasks.DataVectors;

namespace Swarm.Node.Tasks;

/// <summary>
/// Builds the peer of a data-vector task (<c>task.kind = data-vectors</c>) on a cluster node: a
/// <see cref="DataVectorPeerActor"/> whose chain is the task's own (genesis from the spec's canonical bytes, the
/// participants' consortium keys), whose pre-trained model is the file the spec pins (<see cref="PretrainedModels"/>),
/// whose trainer fine-tunes with the spec's optimizer and local epochs on this node's data, whose vectors and merged
/// models live under <c>&lt;data-dir&gt;/tasks/&lt;task-id&gt;</c> (served to the participants by blob transfer) and
/// whose publication times are the spec's schedule for this node.
/// </summary>
public sealed class DataVectorPeerFactory(string nodeId, Consortium consortium, NodeIdentity identity, string dataDirectory, int threads,
    Func<ActorSystem> system, ITaskBlobFetcher fetcher, TaskBlobSource served, SemaphoreSlim? computeGate = null)
{
    private readonly Ed25519SignatureScheme _verifier = new();

    /// <summary>The peer of <paramref name="spec"/> (a data-vector task) on this node, training on <paramref name="data"/>.</summary>
    /// <exception cref="InvalidOperationException">A participant is not in the consortium, or this node lacks the
    /// pinned pre-trained model or holds one of another shape.</exception>
    public Props Create(TaskSpec spec, byte[] specBytes, SiteData data)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(data);
        var dv = spec.DataVectors ?? throw new InvalidOperationException($"task '{spec.Id}' is not a data-vector task");
        var keys = spec.Participants.Select(p => MemberKeys.SigningKey(consortium.Find(p)
            ?? throw new InvalidOperationException($"participant '{p}' of task '{spec.Id}' is not a member of consortium '{consortium.Name}'"))).ToList();
        var (genesis, chainTerms) = TaskGenesis.Create(spec, specBytes, keys);
        var train = data.Train;
        int parameterCount;
        int trainable;
        using (var shape = TorchTrainer.Create(spec.Model, train.Channels, train.Classes, train.Height, (ulong)spec.Seed))
        {
            parameterCount = (int)shape.Layout.TotalLength;
            trainable = (int)shape.Layout.TrainableLength;
        }
        var pretrained = PretrainedModels.Load(dataDirectory, dv.Pretrained, parameterCount,
            $"model {spec.Model} for this node's data ({train.Channels} channel(s), {train.Classes} classes)");
        var terms = new DataVectorTaskTerms(genesis.ChainId, chainTerms.Sites, chainTerms.F, dv.Pretrained, parameterCount,
            MergeRules.Parse(dv.MergeRule) ?? throw new InvalidOperationException($"merge rule '{dv.MergeRule}' is unknown"),
            dv.VectorsPerMerge, spec.Aggregation.SampleCountMax, dv.LambdaSteps);
        var blobs = new DirectoryTaskBlobs(Path.Combine(dataDirectory, "tasks", spec.Id));
        served.Register(spec.Id, spec.Participants, blobs);
        var options = TaskPeerFactory.TrainOptionsOf(spec, threads);
        var context = new DataVectorPeerContext
        {
            Spec = spec,
            Self = nodeId,
            Genesis = genesis,
            Terms = terms,
            PublicKeys = keys,
            Signer = identity.Signer,
            Verifier = _verifier,
            Peer = site => NodeDirectory.For(system()).Resolve(TaskPaths.Peer(site, spec.Id)),
            Pretrained = pretrained,
            MergedLength = trainable,
            Trainer = () => new DataVectorTrainer(
                TorchTrainer.Create(spec.Model, train.Channels, train.Classes, train.Height, (ulong)spec.Seed), data, options, spec.LocalEpochs, pretrained),
            Blobs = blobs,
            Fetcher = fetcher,
            ComputeGate = computeGate,
            Publications = dv.PublicationsOf(nodeId),
        };
        return DataVectorPeerActor.Props(context);
    }
}
