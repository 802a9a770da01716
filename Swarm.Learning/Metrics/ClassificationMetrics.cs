namespace Swarm.Learning.Metrics;

/// <summary>Accuracy, AUC and loss computed as MedMNIST's evaluator (<c>medmnist.evaluator.getAUC/getACC</c>)
/// computes them from predicted class probabilities.</summary>
public static class ClassificationMetrics
{
    /// <summary>The probability floor used by <see cref="CrossEntropy"/>, so a confident wrong prediction
    /// gives a large finite loss rather than infinity.</summary>
    public const double ProbabilityFloor = 1e-12;

    /// <summary>AUC and accuracy of <paramref name="probabilities"/> (N×<paramref name="classes"/>
    /// row-major). Binary: AUC of the positive-class column, accuracy of thresholding it at 0.5 (strictly
    /// greater means positive). Multi-class: mean of the one-vs-rest AUCs over classes, accuracy of the
    /// argmax (the first maximum on ties). A class that is absent from the labels (or is every label) has no
    /// AUC; scikit-learn refuses such input, we leave the class out of the mean (NaN if no class is left).</summary>
    public static ClassificationResult Compute(ReadOnlySpan<float> probabilities, ReadOnlySpan<long> labels, int classes)
    {
        Validate(probabilities, labels, classes);
        return classes == 2
            ? new ClassificationResult(BinaryAuc(probabilities, labels), BinaryAccuracy(probabilities, labels))
            : new ClassificationResult(OneVsRestAuc(probabilities, labels, classes), ArgmaxAccuracy(probabilities, labels, classes));
    }

    /// <summary>Mean cross-entropy −log p(label) of predicted probabilities (N×classes row-major), each
    /// probability floored at <see cref="ProbabilityFloor"/>.</summary>
    public static double CrossEntropy(ReadOnlySpan<float> probabilities, ReadOnlySpan<long> labels, int classes)
    {
        var sum = 0.0;
        foreach (var loss in CrossEntropies(probabilities, labels, classes))
        {
            sum += loss;
        }
        return labels.Length == 0 ? double.NaN : sum / labels.Length;
    }

    /// <summary>Each example's cross-entropy −log p(label), floored as <see cref="CrossEntropy"/> is (a membership
    /// inference attack's score).</summary>
    public static double[] CrossEntropies(ReadOnlySpan<float> probabilities, ReadOnlySpan<long> labels, int classes)
    {
        Validate(probabilities, labels, classes);
        var losses = new double[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            losses[i] = -Math.Log(Math.Max(probabilities[(i * classes) + (int)labels[i]], ProbabilityFloor));
        }
        return losses;
    }

    /// <summary>Mean cross-entropy of raw scores (logits, N×classes row-major) through a numerically stable
    /// log-softmax, as PyTorch's <c>CrossEntropyLoss</c> computes it.</summary>
    public static double CrossEntropyFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<long> labels, int classes)
    {
        Validate(logits, labels, classes);
        var sum = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = logits.Slice(i * classes, classes);
            var max = double.NegativeInfinity;
            foreach (var value in row)
            {
                max = Math.Max(max, value);
            }
            var total = 0.0;
            foreach (var value in row)
            {
                total += Math.Exp(value - max);
            }
            sum += max + Math.Log(total) - row[(int)labels[i]];
        }
        return labels.Length == 0 ? double.NaN : sum / labels.Length;
    }

    /// <summary>Row-wise softmax of logits (N×classes row-major) into probabilities.</summary>
    public static float[] Softmax(ReadOnlySpan<float> logits, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var result = new float[logits.Length];
        for (var start = 0; start < logits.Length; start += classes)
        {
            var row = logits.Slice(start, classes);
            var max = double.NegativeInfinity;
            foreach (var value in row)
            {
                max = Math.Max(max, value);
            }
            var total = 0.0;
            foreach (var value in row)
            {
                total += Math.Exp(value - max);
            }
            for (var c = 0; c < classes; c++)
            {
                result[start + c] = (float)(Math.Exp(row[c] - max) / total);
            }
        }
        return result;
    }

    private static double BinaryAuc(ReadOnlySpan<float> probabilities, ReadOnlySpan<long> labels)
    {
        var scores = new double[labels.Length];
        var positive = new bool[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            scores[i] = probabilities[(i * 2) + 1];
            positive[i] = labels[i] == 1;
        }
        return RocAuc.Compute(scores, positive);
    }

    private static double BinaryAccuracy(ReadOnlySpan<float> probabilities, ReadOnlySpan<long> labels)
    {
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var predicted = probabilities[(i * 2) + 1] > 0.5f ? 1L : 0L;
            correct += predicted == labels[i] ? 1 : 0;
        }
        return labels.Length == 0 ? double.NaN : (double)correct / labels.Length;
    }

    private static double OneVsRestAuc(ReadOnlySpan<float> probabilities, ReadOnlySpan<long> labels, int classes)
    {
        var scores = new double[labels.Length];
        var positive = new bool[labels.Length];
        var sum = 0.0;
        var defined = 0;
        for (var c = 0; c < classes; c++)
        {
            for (var i = 0; i < labels.Length; i++)
            {
                scores[i] = probabilities[(i * classes) + c];
                positive[i] = labels[i] == c;
            }
            var auc = RocAuc.Compute(scores, positive);
            if (!double.IsNaN(auc))
            {
                sum += auc;
                defined++;
            }
        }
        return defined == 0 ? double.NaN : sum / defined;
    }

    private static double ArgmaxAccuracy(ReadOnlySpan<float> probabilities, ReadOnlySpan<long> labels, int classes)
    {
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                best = row[c] > row[best] ? c : best;
            }
            correct += best == labels[i] ? 1 : 0;
        }
        return labels.Length == 0 ? double.NaN : (double)correct / labels.Length;
    }

    private static void Validate(ReadOnlySpan<float> probabilities, ReadOnlySpan<long> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (probabilities.Length != (long)labels.Length * classes)
        {
            throw new ArgumentException(
                $"{probabilities.Length} values are not {labels.Length} rows of {classes} classes", nameof(probabilities));
        }
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"label of example {i} is outside 0..{classes - 1}");
            }
        }
    }
}
