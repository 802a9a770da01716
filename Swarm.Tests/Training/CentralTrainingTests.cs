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

    [Fact]
    public void A_one_class_validation_slice_never_yields_an_untrained_model()
    {
        // A label-skewed site's validation slice can hold one class: its AUC is NaN in every epoch.
        var validation = SyntheticSites.Dataset(48, 2);
        var oneClass = validation.Subset([.. Enumerable.Range(0, validation.Count).Where(i => validation.Labels[i] == 0)]);
        var splits = new MedMnistSplits(SyntheticSites.Dataset(96, 1), oneClass, SyntheticSites.Dataset(48, 3));
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2, 28, seed: 2);
        var options = new TrainOptions { BatchSize = 32, LearningRate = 3e-3, Threads = 2 };
        var result = CentralTraining.Run(trainer, splits, 3, options, LearningRateSchedule.Constant);

        Assert.All(result.Epochs, e => Assert.True(double.IsNaN(e.Validation.Auc)));
        Assert.True(result.SelectedByLoss);
        var lowest = result.Epochs.MinBy(e => e.ValidationLoss)!;
        Assert.Equal(lowest.Epoch, result.BestEpoch);
        var parameters = SyntheticSites.Parameters(trainer);
        Assert.Contains(parameters, p => p != 0);
        Assert.Equal(lowest.ValidationLoss, CentralTraining.Evaluate(trainer, splits.Val).Loss);
    }

    [Fact]
    public void Selection_takes_the_best_auc_and_falls_back_to_the_lowest_loss_only_while_no_auc_is_defined()
    {
        var selection = new EpochSelection();
        Assert.True(selection.Offer(1, double.NaN, 0.9));
        Assert.False(selection.Offer(2, double.NaN, 0.95));
        Assert.True(selection.Offer(3, double.NaN, 0.5));
        Assert.True(selection.Offer(4, 0.7, 2.0));
        Assert.False(selection.Offer(5, double.NaN, 0.1));
        Assert.False(selection.Offer(6, 0.7, 0.1));
        Assert.True(selection.Offer(7, 0.8, 3.0));
        Assert.Equal(7, selection.Epoch);
        Assert.True(selection.ByAuc);
    }
}
