using System.Runtime.InteropServices;
using Swarm.Learning.Data;
using Swarm.Learning.Training;
using Swarm.Learning.Transfer;
using Swarm.Learning.Updates;
using Swarm.Tasks;

namespace Swarm.Node.CrossChain;

/// <summary>
/// <c>swarm task similar</c>: ranks the committed final models of other chains this node holds as sources for a
/// task, by a score computed here on this site's own validation images: linear CKA between each model's penultimate
/// features and the labels (<see cref="LinearCka"/>; Kornblith et al., ICML 2019). A candidate must be a task that
/// completed (its final model is committed on its chain), carry <c>task.metadata</c>, take this site's input (same
/// channels and image size: <see cref="TaskMetadata.InputMismatch"/>), and have its final model in this node's blob
/// store under the hash its chain committed; every other task is listed as excluded with the reason. The report also
/// scores a randomly initialised model of the task's own architecture, so a candidate can be read against features
/// that learned nothing.
/// </summary>
public static class SimilarTasks
{
    /// <summary>The measure, as the report names it.</summary>
    public const string Measure = "linear CKA between penultimate features and labels on this site's validation images (Kornblith et al., ICML 2019)";

    /// <summary>Most validation images scored (the first ones, in the split's order).</summary>
    public const int ImagesMax = 2000;

    /// <summary>Ranks <paramref name="others"/> as sources for <paramref name="target"/> on <paramref name="local"/>
    /// (this site's validation images for the target).</summary>
    public static SimilarityReport Rank(TaskSpec target, ImageDataset local, IReadOnlyList<KnownModel> others)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(others);
        if (local.Count < 2)
        {
            throw new ArgumentException($"this site has {local.Count} validation image(s) for task '{target.Id}'; the score needs at least 2", nameof(local));
        }
        var images = local.Count > ImagesMax ? local.Subset([.. Enumerable.Range(0, ImagesMax)]) : local;
        var here = new TaskMetadata(target.Metadata?.Modality ?? "-", target.Metadata?.BodyPart ?? "-", images.Height, images.Width,
            images.Channels, images.Classes);
        using var random = TorchTrainer.Create(target.Model, images.Channels, images.Classes, images.Height, (ulong)target.Seed);
        var baseline = Score(random, images);
        var scored = new List<SimilarCandidate>();
        var excluded = new List<SimilarExcluded>();
        foreach (var other in others.Where(o => o.Spec.Id != target.Id))
        {
            var (candidate, reason) = Evaluate(other, here, images);
            if (candidate is not null)
            {
                scored.Add(candidate);
            }
            else
            {
                excluded.Add(new SimilarExcluded(other.Spec.Id, reason!));
            }
        }
        var ranked = scored.OrderByDescending(c => c.Score).ThenBy(c => c.TaskId, StringComparer.Ordinal)
            .Select((c, i) => c with { Rank = i + 1 }).ToList();
        return new SimilarityReport(target.Id, Measure, images.Count, target.Model, baseline, ranked, excluded);
    }

    private static (SimilarCandidate?, string?) Evaluate(KnownModel other, TaskMetadata here, ImageDataset images)
    {
        var spec = other.Spec;
        if (other.State != TaskState.Completed || other.ModelHash is null)
        {
            return (null, $"it has not completed here ({other.State}), so it has no committed final model");
        }
        if (spec.Metadata is not { } metadata)
        {
            return (null, "its spec has no task.metadata, so the input its model takes is not declared");
        }
        if (here.InputMismatch(metadata) is { } mismatch)
        {
            return (null, $"incompatible: {mismatch}");
        }
        if (other.LoadModel() is not { } bytes)
        {
            return (null, $"its final model {Short(other.ModelHash)} is not in this node's blob store");
        }
        if (bytes.Length % sizeof(float) != 0)
        {
            return (null, $"the stored model {Short(other.ModelHash)} is {bytes.Length} bytes, not whole float32 values");
        }
        var parameters = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        if (ModelDigest.Hex(parameters) != other.ModelHash)
        {
            return (null, $"the stored model does not hash to {Short(other.ModelHash)}, the hash its chain committed");
        }
        try
        {
            using var model = TorchTrainer.Create(spec.Model, metadata.Channels, metadata.Labels, metadata.Height, (ulong)spec.Seed);
            if (model.Layout.TotalLength != parameters.Length)
            {
                return (null, $"its model holds {parameters.Length} parameters; a {spec.Model} for {metadata.Channels}×{metadata.Height}×{metadata.Width} "
                    + $"images and {metadata.Labels} labels (its metadata) has {model.Layout.TotalLength}");
            }
            model.SetParameters(parameters);
            return (new SimilarCandidate(spec.Id, spec.Model, other.ModelHash, metadata, Score(model, images), 0), null);
        }
        catch (TorchException e)
        {
            return (null, $"cannot score its model: {e.Message}");
        }
    }

    private static double Score(TorchTrainer model, ImageDataset images)
    {
        var (features, width) = model.Features(images.Images, new ImageShape(images.Channels, images.Height, images.Width));
        return LinearCka.WithLabels(features, images.Count, width, images.Labels, images.Classes);
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;
}

/// <summary>A task this node knows, as a possible source: its spec, its state here, the hash of its last committed
/// global model, and how to read that model's bytes from this node's blob store (null when they are not there).</summary>
public sealed record KnownModel(TaskSpec Spec, TaskState State, string? ModelHash, Func<byte[]?> LoadModel);

/// <summary>One candidate source: its task, model, committed model hash, metadata, score and rank (1 = best).</summary>
public sealed record SimilarCandidate(string TaskId, string Model, string ModelHash, TaskMetadata Metadata, double Score, int Rank);

/// <summary>A task that is not a candidate, and why.</summary>
public sealed record SimilarExcluded(string TaskId, string Reason);

/// <summary>What <c>GET /tasks/{id}/similar</c> answers: the measure, how many of this site's validation images it
/// used, the score of a randomly initialised <paramref name="BaselineModel"/> (<paramref name="Baseline"/>), the
/// candidates best first, and the tasks excluded with their reasons.</summary>
public sealed record SimilarityReport(string TaskId, string Measure, int Images, string BaselineModel, double Baseline,
    IReadOnlyList<SimilarCandidate> Candidates, IReadOnlyList<SimilarExcluded> Excluded);
