using System.Diagnostics;
using Swarm.Learning.Data;
using Swarm.Learning.Metrics;

namespace Swarm.Learning.Training;

/// <summary>Trains one model on one site's splits: an epoch at a time, validation after each, and the test
/// split scored with the parameters of the best-validation epoch (MedMNIST's model selection).
/// <para>The selected epoch is the one with the highest validation AUC. A validation split with one class (a
/// site's slice under a label-skewed split) has no AUC (NaN) in any epoch; the epoch with the lowest validation
/// cross-entropy is then selected instead, which is defined for any labels. An epoch is always selected, so the
/// test is never scored on a model that was not trained.</para></summary>
public static class CentralTraining
{
    public static CentralTrainingResult Run(ITrainer trainer, MedMnistSplits splits, int epochs, TrainOptions options,
        LearningRateSchedule schedule, Action<EpochReport>? onEpoch = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        var train = splits.Train.ToTrainingData();
        var best = new float[trainer.Layout.TotalLength];
        var selection = new EpochSelection();
        var reports = new List<EpochReport>(epochs);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            cancellation.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            var rate = schedule.At(options.LearningRate, epoch, epochs);
            // Each epoch shuffles with its own seed, derived from the run's seed so runs repeat exactly.
            var epochOptions = options with { LearningRate = rate, Seed = options.Seed * 1_000_003UL + (ulong)epoch };
            var result = trainer.TrainEpoch(train, epochOptions);
            var (validation, validationLoss) = Evaluate(trainer, splits.Val);
            var report = new EpochReport(epoch + 1, rate, result.MeanLoss, validationLoss, validation, watch.Elapsed);
            reports.Add(report);
            onEpoch?.Invoke(report);
            if (selection.Offer(epoch + 1, validation.Auc, validationLoss))
            {
                trainer.GetParameters(best);
            }
        }
        trainer.SetParameters(best);
        var (test, testLoss) = Evaluate(trainer, splits.Test);
        return new CentralTrainingResult(reports, selection.Epoch, test, testLoss) { SelectedByLoss = !selection.ByAuc };
    }

    /// <summary>AUC/accuracy and mean cross-entropy of the model on <paramref name="split"/>.</summary>
    public static (ClassificationResult Metrics, double Loss) Evaluate(ITrainer trainer, ImageDataset split)
    {
        var probabilities = trainer.Predict(split.Images, split.Shape());
        return (ClassificationMetrics.Compute(probabilities, split.Labels, split.Classes),
            ClassificationMetrics.CrossEntropy(probabilities, split.Labels, split.Classes));
    }
}
