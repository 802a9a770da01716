using Swarm.Learning.Data;
using Swarm.Learning.Metrics;
using Swarm.Learning.Privacy;
using Swarm.Learning.Training;

namespace Swarm.Learning.Audit;

/// <summary>Settings of a membership-inference audit.</summary>
/// <param name="Members">Training images of the target model, drawn at random from the training split.</param>
/// <param name="NonMembers">Images the target never saw, drawn from the same split.</param>
/// <param name="Epochs">Epochs the target and each reference model train; the model of the last epoch is attacked
/// (no early stopping, the attacker's best case).</param>
/// <param name="References">Reference models, each on its own slice disjoint from members and non-members.</param>
/// <param name="Dp">DP-SGD for the target model (null: plain training).</param>
/// <param name="Delta">δ of the reported ε.</param>
/// <param name="BatchSize">Mini-batch of every model (the DP sampling rate is the caller's, in <paramref name="Dp"/>).</param>
/// <param name="LearningRate">Adam's rate, constant.</param>
/// <param name="Seed">Seed of the target; the references derive theirs from it.</param>
public sealed record MembershipSettings(int Members = 256, int NonMembers = 1024, int Epochs = 40, int References = 2,
    DpOptions? Dp = null, double Delta = 1e-5, int BatchSize = 32, double LearningRate = 1e-3, int Seed = 1);

/// <summary>Attack AUCs on members vs non-members (0.5: the attacker learns nothing), and ε of the target's
/// training when it used DP-SGD.</summary>
public sealed record MembershipOutcome(double LossThresholdAuc, double CalibratedAuc, int Members, int NonMembers,
    double? Epsilon, double TargetTestAuc);

/// <summary>
/// Membership inference against a trained model, as anyone holding the model (every participant, for the global
/// model) can mount it. The loss-threshold attack (Yeom, Giacomelli, Fredrikson and Jha, CSF 2018) scores an image
/// by its loss: lower loss, more likely a member. The calibrated attack subtracts what the image's loss is on
/// reference models trained on disjoint data from the same distribution (the offline difficulty calibration of
/// Watson et al., ICLR 2022, and of LiRA's offline variant, Carlini et al., S&amp;P 2022), so that images that are
/// easy for any model stop looking like members.
/// </summary>
public static class MembershipInference
{
    /// <summary>Per-image cross-entropy of the model's predictions.</summary>
    public static double[] Losses(ITrainer model, ReadOnlyMemory<float> images, ReadOnlySpan<long> labels, ImageShape shape) =>
        ClassificationMetrics.CrossEntropies(model.Predict(images, shape), labels, model.Classes);

    /// <summary>AUC of "member" scores: members should score higher.</summary>
    public static double Auc(IReadOnlyList<double> memberScores, IReadOnlyList<double> nonMemberScores)
    {
        var scores = memberScores.Concat(nonMemberScores).ToArray();
        var positive = memberScores.Select(_ => true).Concat(nonMemberScores.Select(_ => false)).ToArray();
        return RocAuc.Compute(scores, positive);
    }

    /// <summary>Draws <see cref="MembershipSettings.Members"/> training images at random for the target,
    /// <see cref="MembershipSettings.NonMembers"/> others as non-members and, for each reference model, a slice of
    /// as many images as the target's from the rest; trains them and attacks.</summary>
    public static MembershipOutcome Run(Func<ITrainer> models, MedMnistSplits splits, MembershipSettings settings)
    {
        var train = splits.Train;
        var n = settings.Members;
        var needed = n + settings.NonMembers + settings.References * n;
        if (n < 2 || settings.NonMembers < 2 || settings.References < 0 || settings.Epochs < 1 || needed > train.Count)
        {
            throw new ArgumentException($"{n} members, {settings.NonMembers} non-members and {settings.References} reference slices need {needed} training images; the split has {train.Count}");
        }
        var shape = new ImageShape(train.Channels, train.Height, train.Width);
        // Members, non-members and the references' slices are drawn at random from one pool: a split stored in
        // some order (by source, by patient) would otherwise let a model that learned nothing about any one image
        // tell its own slice from the next, and DP does not hide that.
        var slice = RandomSlices(train, settings.Seed);
        var members = slice(0, n);
        var nonMembers = slice(n, settings.NonMembers);

        var options = new TrainOptions
        {
            LearningRate = settings.LearningRate, BatchSize = settings.BatchSize, Seed = (ulong)settings.Seed,
            Privacy = settings.Dp,
        };
        using var target = models();
        Train(target, members, options, settings.Epochs);
        var memberLoss = Losses(target, members.Images, members.Labels.Span, shape);
        var nonMemberLoss = Losses(target, nonMembers.Images, nonMembers.Labels.Span, shape);
        var test = ClassificationMetrics.Compute(target.Predict(splits.Test.Images, shape), splits.Test.Labels, target.Classes);

        var referenceMember = new double[memberLoss.Length];
        var referenceNonMember = new double[nonMemberLoss.Length];
        for (var r = 0; r < settings.References; r++)
        {
            using var reference = models();
            Train(reference, slice(n + settings.NonMembers + r * n, n),
                options with { Privacy = null, Seed = (ulong)(settings.Seed + 101 * (r + 1)) }, settings.Epochs);
            Add(referenceMember, Losses(reference, members.Images, members.Labels.Span, shape), settings.References);
            Add(referenceNonMember, Losses(reference, nonMembers.Images, nonMembers.Labels.Span, shape), settings.References);
        }

        var memberLabels = members.Labels.ToArray();
        var nonMemberLabels = nonMembers.Labels.ToArray();
        var lossAuc = ClassBalancedAuc(memberLoss.Select(l => -l).ToArray(), memberLabels,
            nonMemberLoss.Select(l => -l).ToArray(), nonMemberLabels);
        var calibratedAuc = settings.References == 0
            ? double.NaN
            : ClassBalancedAuc(memberLoss.Select((l, i) => referenceMember[i] - l).ToArray(), memberLabels,
                nonMemberLoss.Select((l, i) => referenceNonMember[i] - l).ToArray(), nonMemberLabels);
        double? epsilon = settings.Dp is { } dp && dp.NoiseMultiplier > 0
            ? RdpAccountant.ComputeEpsilon(dp.SamplingRate, dp.NoiseMultiplier,
                (long)settings.Epochs * DpOptions.StepsPerEpoch(dp.SamplingRate), settings.Delta).Epsilon
            : null;
        return new MembershipOutcome(lossAuc, calibratedAuc, n, settings.NonMembers, epsilon, test.Auc);
    }

    /// <summary>Slices of <paramref name="train"/> in one seeded random order: slice(start, count) holds the images at
    /// positions start … start + count − 1 of that order, so slices at disjoint positions never share an image.</summary>
    internal static Func<int, int, TrainingData> RandomSlices(ImageDataset train, int seed)
    {
        var shape = new ImageShape(train.Channels, train.Height, train.Width);
        var order = Enumerable.Range(0, train.Count).ToArray();
        new Random(seed).Shuffle(order);
        return (start, count) =>
        {
            var images = new float[count * shape.Size];
            var labels = new long[count];
            for (var k = 0; k < count; k++)
            {
                train.Image(order[start + k]).CopyTo(images.AsSpan(k * shape.Size, shape.Size));
                labels[k] = train.Labels[order[start + k]];
            }
            return new TrainingData(images, labels, shape);
        };
    }

    /// <summary>The AUC within each class, averaged with the members' class counts as weights. Two slices of a split
    /// rarely hold the classes in the same proportions, and a model's loss differs by class even when it learned
    /// nothing about any image; comparing members with non-members of their own class removes that.</summary>
    public static double ClassBalancedAuc(double[] memberScores, long[] memberLabels, double[] nonMemberScores,
        long[] nonMemberLabels)
    {
        double weighted = 0;
        var weight = 0;
        foreach (var label in memberLabels.Distinct())
        {
            var m = memberScores.Where((_, i) => memberLabels[i] == label).ToList();
            var o = nonMemberScores.Where((_, i) => nonMemberLabels[i] == label).ToList();
            if (o.Count == 0)
            {
                continue;
            }
            weighted += m.Count * Auc(m, o);
            weight += m.Count;
        }
        return weight == 0 ? double.NaN : weighted / weight;
    }

    private static void Train(ITrainer model, TrainingData data, TrainOptions options, int epochs)
    {
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            model.TrainEpoch(data, options with { Seed = options.Seed * 1_000_003UL + (ulong)epoch });
        }
    }

    private static void Add(double[] sum, double[] values, int count)
    {
        for (var i = 0; i < sum.Length; i++)
        {
            sum[i] += values[i] / count;
        }
    }
}
