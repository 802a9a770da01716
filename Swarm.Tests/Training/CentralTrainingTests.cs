using Swarm.Learning.Data;
using Swarm.Learning.Training;

namespace Swarm.Tests.Training;

public sealed class CentralTrainingTests
{
    [Fact]
    public void Multistep_schedule_divides_by_ten_at_half_and_three_quarters()
    {
        var rates = Enumerable.Range(0, 8).Select(e => LearningRateSchedule.MultiStep.At(1.0, e, 8)).ToArray();
        double[] expected = [1, 1, 1, 1, 0.1, 0.1, 0.01, 0.01];
        Assert.Equal(expected, rates, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(0.5, LearningRateSchedule.Constant.At(0.5, 7, 8));
    }

    [Fact]
    public void Test_metrics_come_from_the_parameters_of_the_best_validation_epoch()
    {
        var splits = new MedMnistSplits(SyntheticSites.Dataset(96, 1), SyntheticSites.Dataset(48, 2), SyntheticSites.Dataset(48, 3));
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 2);
        var options = new TrainOptions { BatchSize = 32, LearningRate = 3e-3, Threads = 2 };
        var result = CentralTraining.Run(trainer, splits, 3, options, LearningRateSchedule.Constant);
        Assert.Equal(3, result.Epochs.Count);
        var best = result.Epochs.MaxBy(e => e.Validation.Auc)!;
        Assert.Equal(best.Epoch, result.BestEpoch);
        var (validation, _) = CentralTraining.Evaluate(trainer, splits.Val);
        Assert.Equal(best.Validation, validation);
        var (test, loss) = CentralTraining.Evaluate(trainer, splits.Test);
        Assert.Equal(result.Test, test);
        Assert.Equal(result.TestLoss, loss);
    }
}
