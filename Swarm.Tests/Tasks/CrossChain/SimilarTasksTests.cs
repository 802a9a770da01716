using System.Runtime.InteropServices;
using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Swarm.Learning.Updates;
using Swarm.Node.CrossChain;
using Swarm.Tasks;
using Xunit.Abstractions;

namespace Swarm.Tests.Tasks.CrossChain;

/// <summary><c>swarm task similar</c>'s ranking on real PneumoniaMNIST validation images: a SmallCnn trained for one epoch on
/// 400 pneumonia images ranks above an untrained one and above the untrained baseline; tasks whose input differs, that
/// have no metadata, that have not completed, or whose stored model is not the committed one are excluded, each with
/// its reason.</summary>
public sealed class SimilarTasksTests(ITestOutputHelper output)
{
    private static readonly TaskMetadata ChestXray = new("x-ray", "chest", 28, 28, 1, 2);

    [Fact]
    public void A_model_trained_on_related_data_ranks_above_an_untrained_one_and_incompatible_tasks_are_excluded_with_reasons()
    {
        var splits = MedMnist.Load("pneumoniamnist");
        var validation = splits.Val.Subset([.. Enumerable.Range(0, 200)]);
        var trained = Trained(splits.Train.Subset([.. Enumerable.Range(0, 400)]));
        using var untrainedModel = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 9);
        var untrained = Parameters(untrainedModel);
        var tampered = (float[])trained.Clone();
        tampered[0] += 1;

        var target = Spec("here", ChestXray);
        var report = SimilarTasks.Rank(target, validation,
        [
            Known(target, TaskState.Running, trained),
            Known(Spec("trained-on-pneumonia", ChestXray), TaskState.Completed, trained),
            Known(Spec("untrained", ChestXray), TaskState.Completed, untrained),
            Known(Spec("rgb-fundus", ChestXray with { Modality = "fundus", BodyPart = "eye", Channels = 3 }), TaskState.Completed, untrained),
            Known(Spec("bigger-images", ChestXray with { Height = 64, Width = 64 }), TaskState.Completed, untrained),
            Known(Spec("no-metadata", null), TaskState.Completed, trained),
            Known(Spec("still-running", ChestXray), TaskState.Running, trained),
            Known(Spec("tampered", ChestXray), TaskState.Completed, trained, storedBytes: tampered),
            Known(Spec("blob-missing", ChestXray), TaskState.Completed, trained, storedBytes: []),
        ]);

        output.WriteLine(string.Join("; ", report.Candidates.Select(c => $"{c.TaskId} {c.Score:0.0000}")) + $"; baseline {report.Baseline:0.0000}");
        Assert.Equal(200, report.Images);
        Assert.Equal(["trained-on-pneumonia", "untrained"], report.Candidates.Select(c => c.TaskId));
        Assert.Equal([1, 2], report.Candidates.Select(c => c.Rank));
        var (best, other) = (report.Candidates[0].Score, report.Candidates[1].Score);
        Assert.True(best > other + 0.05, $"trained {best:0.0000} vs untrained {other:0.0000}");
        Assert.True(best > report.Baseline + 0.05, $"trained {best:0.0000} vs baseline {report.Baseline:0.0000}");
        var reasons = report.Excluded.ToDictionary(x => x.TaskId, x => x.Reason);
        Assert.DoesNotContain("here", reasons.Keys);
        Assert.Equal("incompatible: its images have 3 channel(s), this task's have 1", reasons["rgb-fundus"]);
        Assert.Equal("incompatible: its input shape is 64×64, this task's is 28×28", reasons["bigger-images"]);
        Assert.Contains("no task.metadata", reasons["no-metadata"], StringComparison.Ordinal);
        Assert.Contains("has not completed here (Running)", reasons["still-running"], StringComparison.Ordinal);
        Assert.Contains("does not hash to", reasons["tampered"], StringComparison.Ordinal);
        Assert.Contains("is not in this node's blob store", reasons["blob-missing"], StringComparison.Ordinal);
    }

    private static float[] Trained(ImageDataset train)
    {
        using var model = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 9);
        var options = new TrainOptions { BatchSize = 32, Seed = 5, Threads = 2 };
        model.TrainEpoch(train.ToTrainingData(), options);
        return Parameters(model);
    }

    private static float[] Parameters(TorchTrainer model)
    {
        var values = new float[model.Layout.TotalLength];
        model.GetParameters(values);
        return values;
    }

    private static TaskSpec Spec(string id, TaskMetadata? metadata) => new()
    {
        Id = id,
        Model = "smallcnn",
        Participants = ["node-a"],
        Datasets = new Dictionary<string, string> { ["node-a"] = "pneumoniamnist" },
        Metadata = metadata,
    };

    /// <summary>A task whose committed model is <paramref name="committed"/>; the store holds
    /// <paramref name="storedBytes"/> as floats (default: the committed model; empty: nothing).</summary>
    private static KnownModel Known(TaskSpec spec, TaskState state, float[] committed, float[]? storedBytes = null)
    {
        var stored = storedBytes ?? committed;
        return new KnownModel(spec, state, ModelDigest.Hex(committed),
            () => stored.Length == 0 ? null : MemoryMarshal.AsBytes(stored.AsSpan()).ToArray());
    }
}
