using Swarm.Learning.Training;

namespace Swarm.Tests.Training;

public sealed class DpSgdTests
{
    private static readonly ImageShape Small = new(1, 28, 28);

    [Theory]
    [InlineData("smallcnn", 28)]
    [InlineData("resnet18-gn", 8)]
    public void Batched_per_sample_norms_match_a_naive_per_example_backward(string model, int side)
    {
        var shape = new ImageShape(model == "smallcnn" ? 1 : 3, side, side);
        var data = SyntheticImages.Make(4, shape, 3, seed: 21);
        using var trainer = TorchTrainer.Create(model, shape.Channels, 3, side, seed: 2);
        var batched = trainer.PerSampleGradientNorms(data);
        var gradient = new float[trainer.Layout.TrainableLength];
        for (var i = 0; i < data.Count; i++)
        {
            trainer.Gradient(SyntheticImages.Slice(data, i, 1), gradient);
            var naive = SyntheticImages.Norm(gradient);
            Assert.True(Math.Abs(naive - batched[i]) <= 1e-3 * Math.Max(1, naive), $"example {i}: {batched[i]} vs {naive}");
        }
    }

    [Theory]
    [InlineData("smallcnn", 28)]
    [InlineData("resnet18-gn", 8)]
    public void The_clipped_sum_equals_the_sum_of_individually_clipped_batch_size_one_gradients(string model, int side)
    {
        var shape = new ImageShape(model == "smallcnn" ? 1 : 3, side, side);
        var data = SyntheticImages.Make(5, shape, 2, seed: 31);
        using var trainer = TorchTrainer.Create(model, shape.Channels, 2, side, seed: 8);
        var norms = trainer.PerSampleGradientNorms(data);
        var clip = (double)norms.Order().ElementAt(2);
        var expected = new double[trainer.Layout.TrainableLength];
        var gradient = new float[expected.Length];
        for (var i = 0; i < data.Count; i++)
        {
            trainer.Gradient(SyntheticImages.Slice(data, i, 1), gradient);
            var factor = Math.Min(1.0, clip / (SyntheticImages.Norm(gradient) + 1e-6));
            for (var j = 0; j < expected.Length; j++)
            {
                expected[j] += factor * gradient[j];
            }
        }
        var start = new float[trainer.Layout.TotalLength];
        trainer.GetParameters(start);
        trainer.TrainBatch(data, new TrainOptions
        {
            Optimizer = OptimizerKind.Sgd, LearningRate = 1.0,
            Privacy = new DpOptions(clip, 0, 1) { ExpectedBatchSize = 1 },
        });
        var after = new float[start.Length];
        trainer.GetParameters(after);
        var scale = Math.Max(1e-3, expected.Max(Math.Abs));
        for (var j = 0; j < expected.Length; j++)
        {
            var actual = start[j] - after[j];
            Assert.True(Math.Abs(actual - expected[j]) <= 2e-3 * scale,
                $"coordinate {j}: clipped sum {actual}, from batch-size-1 gradients {expected[j]}");
        }
    }

    [Fact]
    public void Every_clipped_per_example_gradient_has_norm_at_most_c()
    {
        const double clip = 0.05;
        var data = SyntheticImages.Make(6, Small, 2, seed: 5);
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2, seed: 3);
        var norms = trainer.PerSampleGradientNorms(data);
        Assert.All(norms, n => Assert.True(n > clip, $"norm {n} should exceed C so that clipping acts"));
        var start = new float[trainer.Layout.TotalLength];
        trainer.GetParameters(start);
        var after = new float[start.Length];
        var options = new TrainOptions
        {
            Optimizer = OptimizerKind.Sgd, LearningRate = 1.0,
            Privacy = new DpOptions(clip, 0, 1) { ExpectedBatchSize = 1 },
        };
        for (var i = 0; i < data.Count; i++)
        {
            // A one-example DP step with lr 1 and no noise moves the parameters by exactly the clipped gradient.
            trainer.SetParameters(start);
            trainer.TrainBatch(SyntheticImages.Slice(data, i, 1), options);
            trainer.GetParameters(after);
            var step = new float[start.Length];
            for (var j = 0; j < step.Length; j++)
            {
                step[j] = after[j] - start[j];
            }
            var norm = SyntheticImages.Norm(step);
            Assert.True(norm <= clip + 1e-4, $"example {i}: clipped norm {norm} > C");
            Assert.True(norm >= clip - 1e-4, $"example {i}: clipped norm {norm} should be C");
        }
    }

    [Fact]
    public void Dp_with_no_noise_and_a_huge_clip_norm_equals_the_plain_averaged_step()
    {
        var data = SyntheticImages.Make(16, Small, 2, seed: 8);
        var plain = new TrainOptions { Optimizer = OptimizerKind.Sgd, LearningRate = 0.1 };
        var dp = plain with { Privacy = new DpOptions(1e6, 0, 1) };
        var expected = StepOnce("smallcnn", data, plain);
        var actual = StepOnce("smallcnn", data, dp);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"parameter {i}: {actual[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void Noise_makes_the_dp_step_depend_on_the_seed_and_the_seed_makes_it_reproducible()
    {
        var data = SyntheticImages.Make(8, Small, 2, seed: 8);
        var options = new TrainOptions
        {
            Optimizer = OptimizerKind.Sgd, Seed = 3,
            Privacy = new DpOptions(1.0, 1.0, 0.5) { Randomness = NoiseRandomness.Seeded },
        };
        var first = StepOnce("smallcnn", data, options);
        var again = StepOnce("smallcnn", data, options);
        var other = StepOnce("smallcnn", data, options with { Seed = 4 });
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void A_resnet18_gn_dp_epoch_gives_the_same_bytes_twice_and_moves_every_layer()
    {
        var shape = new ImageShape(3, 8, 8);
        var data = SyntheticImages.Make(24, shape, 2, seed: 12);
        var options = new TrainOptions { BatchSize = 8, Threads = 2, Seed = 9, Privacy = new DpOptions(1.0, 0.5, 1.0 / 3) { Randomness = NoiseRandomness.Seeded } };
        float[] Epoch()
        {
            using var trainer = TorchTrainer.Create("resnet18-gn", 3, 2, 8, seed: 4);
            var start = new float[trainer.Layout.TotalLength];
            trainer.GetParameters(start);
            Assert.Equal(3, trainer.TrainEpoch(data, options).Steps);
            var after = new float[start.Length];
            trainer.GetParameters(after);
            foreach (var entry in trainer.Layout.Entries)
            {
                var unchanged = start.AsSpan((int)entry.Offset, (int)entry.Length)
                    .SequenceEqual(after.AsSpan((int)entry.Offset, (int)entry.Length));
                Assert.False(unchanged, $"{entry.Name} did not move");
            }
            return after;
        }
        Assert.Equal(Epoch(), Epoch());
    }

    [Fact]
    public void Two_runs_with_the_same_seed_in_secure_mode_draw_different_masks_and_noise()
    {
        var data = SyntheticImages.Make(8, Small, 2, seed: 8);
        var options = new TrainOptions { Optimizer = OptimizerKind.Sgd, Seed = 3, Privacy = new DpOptions(1.0, 1.0, 0.5) };
        Assert.Equal(NoiseRandomness.Secure, options.Privacy.Randomness);
        var first = StepOnce("smallcnn", data, options);
        var second = StepOnce("smallcnn", data, options);
        var differing = first.Zip(second, (a, b) => a != b).Count(differs => differs);
        Assert.True(differing > first.Length / 2, $"only {differing} of {first.Length} parameters differ");
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2, seed: 6);
        var epochs = Enumerable.Range(0, 2).Select(_ =>
        {
            trainer.SetParameters(StartOf("smallcnn"));
            trainer.TrainEpoch(data, options with { Privacy = options.Privacy with { NoiseMultiplier = 0 } });
            var after = new float[trainer.Layout.TotalLength];
            trainer.GetParameters(after);
            return after;
        }).ToList();
        Assert.NotEqual(epochs[0], epochs[1]);
    }

    [Fact]
    public void Secure_gaussian_noise_has_mean_zero_and_unit_variance()
    {
        var data = SyntheticImages.Make(1, Small, 2, seed: 8);
        var options = new TrainOptions
        {
            Optimizer = OptimizerKind.Sgd, LearningRate = 1.0,
            Privacy = new DpOptions(1e-9, 1e9, 1.0) { ExpectedBatchSize = 1 },
        };
        var start = StartOf("smallcnn");
        var after = StepOnce("smallcnn", data, options);
        // With C = 1e-9 the clipped gradient is negligible; the step is the noise, N(0, (σC)²) = N(0, 1).
        var noise = start.Zip(after, (a, b) => (double)a - b).ToArray();
        var mean = noise.Average();
        var variance = noise.Select(v => (v - mean) * (v - mean)).Average();
        Assert.True(Math.Abs(mean) < 0.01, $"mean {mean}");
        Assert.True(Math.Abs(variance - 1) < 0.01, $"variance {variance}");
    }

    [Fact]
    public void A_secure_dp_epoch_whose_poisson_batches_are_mostly_empty_still_takes_every_step()
    {
        var data = SyntheticImages.Make(4, Small, 2, seed: 2);
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2);
        var result = trainer.TrainEpoch(data, new TrainOptions { Privacy = new DpOptions(1.0, 1.0, 0.02) });
        Assert.Equal(50, result.Steps);
        Assert.True(double.IsFinite(result.MeanLoss));
    }

    [Fact]
    public void A_dp_epoch_takes_one_over_q_poisson_steps()
    {
        var data = SyntheticImages.Make(40, Small, 2, seed: 1);
        using var trainer = TorchTrainer.Create("smallcnn", 1, 2);
        var result = trainer.TrainEpoch(data, new TrainOptions { Privacy = new DpOptions(1.0, 1.0, 0.25) });
        Assert.Equal(4, result.Steps);
        Assert.True(double.IsFinite(result.MeanLoss));
    }

    private static float[] StartOf(string model)
    {
        using var trainer = TorchTrainer.Create(model, 1, 2, seed: 6);
        var parameters = new float[trainer.Layout.TotalLength];
        trainer.GetParameters(parameters);
        return parameters;
    }

    private static float[] StepOnce(string model, TrainingData data, TrainOptions options)
    {
        using var trainer = TorchTrainer.Create(model, 1, 2, seed: 6);
        trainer.TrainBatch(data, options);
        var parameters = new float[trainer.Layout.TotalLength];
        trainer.GetParameters(parameters);
        return parameters;
    }
}
