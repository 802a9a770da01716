using Swarm.Learning.Transfer;

namespace Swarm.Tests.Training;

/// <summary>Linear CKA between features and labels (Kornblith et al., ICML 2019): 1 for features that are the labels,
/// unchanged by scaling and rotating the features, near 0 for features that ignore the labels.</summary>
public sealed class LinearCkaTests
{
    private static readonly long[] Labels = [.. Enumerable.Range(0, 200).Select(i => (long)(i % 3))];

    [Fact]
    public void Features_that_are_the_labels_align_fully()
    {
        var features = new float[Labels.Length * 3];
        for (var i = 0; i < Labels.Length; i++)
        {
            features[(i * 3) + Labels[i]] = 1;
        }
        Assert.Equal(1.0, LinearCka.WithLabels(features, Labels.Length, 3, Labels, 3), 9);
    }

    [Fact]
    public void Scaling_and_rotating_the_features_leaves_the_score_unchanged()
    {
        var random = new Random(3);
        var features = Noisy(random, 0.8);
        var score = LinearCka.WithLabels(features, Labels.Length, 4, Labels, 3);
        // A rotation in the plane of the first two columns, and a scale of 7.
        var (c, s) = (Math.Cos(0.7), Math.Sin(0.7));
        var rotated = new float[features.Length];
        for (var i = 0; i < Labels.Length; i++)
        {
            var (a, b) = (features[i * 4], features[(i * 4) + 1]);
            rotated[i * 4] = (float)(7 * ((c * a) - (s * b)));
            rotated[(i * 4) + 1] = (float)(7 * ((s * a) + (c * b)));
            rotated[(i * 4) + 2] = 7 * features[(i * 4) + 2];
            rotated[(i * 4) + 3] = 7 * features[(i * 4) + 3];
        }
        Assert.Equal(score, LinearCka.WithLabels(rotated, Labels.Length, 4, Labels, 3), 4);
    }

    [Fact]
    public void More_label_signal_scores_higher_and_pure_noise_scores_near_zero()
    {
        var strong = LinearCka.WithLabels(Noisy(new Random(1), 0.2), Labels.Length, 4, Labels, 3);
        var weak = LinearCka.WithLabels(Noisy(new Random(1), 2.0), Labels.Length, 4, Labels, 3);
        var none = LinearCka.WithLabels(Noisy(new Random(1), 2.0, signal: 0), Labels.Length, 4, Labels, 3);
        Assert.True(strong > weak && weak > none, $"strong {strong}, weak {weak}, none {none}");
        Assert.True(none < 0.05, $"noise scored {none}");
    }

    [Fact]
    public void Constant_features_score_zero_and_bad_shapes_are_refused()
    {
        Assert.Equal(0, LinearCka.WithLabels(new float[Labels.Length * 2], Labels.Length, 2, Labels, 3));
        Assert.Throws<ArgumentException>(() => LinearCka.WithLabels(new float[10], Labels.Length, 2, Labels, 3));
        Assert.Throws<ArgumentException>(() => LinearCka.WithLabels(new float[4], 2, 2, [0, 5], 3));
    }

    /// <summary>Columns 0-2: the one-hot label times <paramref name="signal"/> plus Gaussian noise of sd
    /// <paramref name="noise"/>; column 3: noise only.</summary>
    private static float[] Noisy(Random random, double noise, double signal = 1)
    {
        var features = new float[Labels.Length * 4];
        for (var i = 0; i < Labels.Length; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                var u = 1 - random.NextDouble();
                var gauss = Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
                features[(i * 4) + j] = (float)((j == Labels[i] ? signal : 0) + (noise * gauss));
            }
        }
        return features;
    }
}
