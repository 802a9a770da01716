using Swarm.Learning.Metrics;

namespace Swarm.Tests.Metrics;

public sealed class ClassificationMetricsTests
{
    [Fact]
    public void Binary_auc_counts_ties_as_one_half()
    {
        // Positive-class scores 0.9(+) 0.6(+) 0.6(−) 0.3(−) 0.6(+) 0.1(−). Pairs (positive above negative):
        // 0.9 beats all 3; each 0.6 positive beats 0.3 and 0.1 and ties 0.6 → 2.5 each. AUC = (3 + 2.5 + 2.5) / 9.
        float[] probabilities = [0.1f, 0.9f, 0.4f, 0.6f, 0.4f, 0.6f, 0.7f, 0.3f, 0.4f, 0.6f, 0.9f, 0.1f];
        long[] labels = [1, 1, 0, 0, 1, 0];

        var result = ClassificationMetrics.Compute(probabilities, labels, 2);

        Assert.Equal(8.0 / 9.0, result.Auc, 12);
        // Predicted positive when p > 0.5: 1,1,1,0,1,0 against 1,1,0,0,1,0 → 5 of 6.
        Assert.Equal(5.0 / 6.0, result.Accuracy, 12);
    }

    [Fact]
    public void Binary_accuracy_treats_exactly_one_half_as_negative()
    {
        var result = ClassificationMetrics.Compute([0.5f, 0.5f, 0.5f, 0.5f], [0, 1], 2);

        Assert.Equal(0.5, result.Accuracy);
        Assert.Equal(0.5, result.Auc);
    }

    [Fact]
    public void Perfect_and_reversed_rankings_give_auc_one_and_zero()
    {
        long[] labels = [0, 1, 0, 1];
        float[] perfect = [0.8f, 0.2f, 0.3f, 0.7f, 0.9f, 0.1f, 0.4f, 0.6f];
        float[] reversed = [0.2f, 0.8f, 0.7f, 0.3f, 0.1f, 0.9f, 0.6f, 0.4f];

        Assert.Equal(1.0, ClassificationMetrics.Compute(perfect, labels, 2).Auc);
        Assert.Equal(0.0, ClassificationMetrics.Compute(reversed, labels, 2).Auc);
    }

    [Fact]
    public void Multi_class_auc_is_the_mean_of_one_vs_rest_aucs()
    {
        float[] probabilities =
        [
            0.7f, 0.2f, 0.1f,
            0.2f, 0.5f, 0.3f,
            0.3f, 0.3f, 0.4f,
            0.1f, 0.6f, 0.3f,
            0.4f, 0.1f, 0.5f,
        ];
        long[] labels = [0, 1, 2, 2, 0];
        // Class 0 (positives rows 0, 4 with 0.7, 0.4; negatives 0.2, 0.3, 0.1): all 6 pairs won → 1.
        // Class 1 (positive row 1 with 0.5; negatives 0.2, 0.3, 0.6, 0.1): 3 of 4 won → 0.75.
        // Class 2 (positives 0.4, 0.3; negatives 0.1, 0.3, 0.5): 0.4 beats 2, 0.3 beats 1 and ties 1 → 3.5 of 6.
        var expected = (1.0 + 0.75 + (3.5 / 6.0)) / 3.0;

        var result = ClassificationMetrics.Compute(probabilities, labels, 3);

        Assert.Equal(expected, result.Auc, 12);
        // Argmax per row: 0, 1, 2, 1, 2 against 0, 1, 2, 2, 0 → 3 of 5.
        Assert.Equal(0.6, result.Accuracy, 12);
    }

    [Fact]
    public void Argmax_ties_pick_the_first_class_as_numpy_does()
    {
        var result = ClassificationMetrics.Compute([0.4f, 0.4f, 0.2f, 0.2f, 0.4f, 0.4f], [0, 2], 3);

        Assert.Equal(0.5, result.Accuracy);
    }

    [Fact]
    public void Class_missing_from_the_labels_is_left_out_of_the_auc_mean()
    {
        float[] probabilities = [0.8f, 0.1f, 0.1f, 0.3f, 0.6f, 0.1f];
        long[] labels = [0, 1];

        var result = ClassificationMetrics.Compute(probabilities, labels, 3);

        // Class 0 and class 1 rank perfectly; class 2 has no positive example and no AUC.
        Assert.Equal(1.0, result.Auc);
    }

    [Fact]
    public void Cross_entropy_is_the_mean_negative_log_probability_of_the_label()
    {
        float[] probabilities = [0.25f, 0.75f, 0.5f, 0.5f];
        long[] labels = [1, 0];

        var loss = ClassificationMetrics.CrossEntropy(probabilities, labels, 2);

        Assert.Equal(-(Math.Log(0.75) + Math.Log(0.5)) / 2, loss, 6);
    }

    [Fact]
    public void Cross_entropy_from_logits_matches_softmax_then_log()
    {
        float[] logits = [2f, -1f, 0.5f, 1000f, 999f, -3f];
        long[] labels = [2, 1];
        var probabilities = ClassificationMetrics.Softmax(logits, 3);

        var fromLogits = ClassificationMetrics.CrossEntropyFromLogits(logits, labels, 3);
        var fromProbabilities = ClassificationMetrics.CrossEntropy(probabilities, labels, 3);

        Assert.True(double.IsFinite(fromLogits));
        Assert.Equal(fromProbabilities, fromLogits, 5);
        Assert.Equal(1.0, probabilities[3] + probabilities[4] + probabilities[5], 6);
    }

    [Fact]
    public void Mismatched_sizes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([0.5f, 0.5f, 0.1f], [0, 1], 2));
    }

    [Fact]
    public void Label_outside_the_classes_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationMetrics.Compute([0.5f, 0.5f], [2], 2));
    }
}
