using System.Runtime.InteropServices;
using Swarm.Learning.Training.Zoo;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace Swarm.Learning.Training;

/// <summary>A model trained on LibTorch through TorchSharp: a zoo model (<c>smallcnn</c>, <c>resnet18</c>,
/// <c>resnet18-gn</c>) or a TorchScript module. Not thread-safe: one caller at a time. Every failure is a
/// <see cref="TorchException"/> whose status says whose fault it is (bad argument, libtorch, I/O, unsupported).</summary>
public sealed class TorchTrainer : ITrainer
{
    /// <summary>Prediction runs in batches of this many images to bound activation memory.</summary>
    private const int PredictBatchMax = 256;

    /// <summary>One engine operation at a time in a process. Model initialisation draws from LibTorch's global
    /// generator, and the thread settings are process-wide; the test suite also saw LibTorch fail an internal check
    /// ("Expected false to be true") when trainers of several test classes trained on different threads at once,
    /// which never happened with calls taken one at a time. Sites of one process already train one after another
    /// (a compute gate), so the lock costs a node nothing.</summary>
    private static readonly object EngineGate = new();

    private readonly TorchNetwork _network;
    private readonly TrainerOptimizer _optimizer;

    /// <summary>Every layout index in order: the whole flat vector, whose entries lie one after another.</summary>
    private readonly int[] _allEntries;

    private TorchTrainer(TorchNetwork network, int classes)
    {
        _network = network;
        _optimizer = new TrainerOptimizer(network.Trainable);
        _allEntries = Enumerable.Range(0, network.Layout.Entries.Count).ToArray();
        Classes = classes;
    }

    public ParameterLayout Layout => _network.Layout;

    public int Classes { get; }

    /// <summary>True when DP-SGD can train this model (a zoo model without BatchNorm).</summary>
    public bool SupportsPrivacy => _network.DpCapable;

    /// <summary>Builds a zoo model with weights drawn from <paramref name="seed"/>.</summary>
    public static TorchTrainer Create(string model, int inChannels, int classes, int imageSize = 28, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        return Guard($"create model '{model}'", () =>
        {
            TorchRuntime.EnsureLoaded();
            torch.manual_seed(unchecked((long)seed));
            return new TorchTrainer(TorchNetwork.FromZoo(ModelZoo.Create(model, inChannels, classes, imageSize)),
                classes);
        });
    }

    /// <summary>Loads a TorchScript module mapping N × C × H × W images to N × <paramref name="classes"/> logits.</summary>
    public static TorchTrainer Load(string path, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        return Guard($"load '{path}'", () =>
        {
            TorchRuntime.EnsureLoaded();
            torch.jit.ScriptModule<torch.Tensor, torch.Tensor> module;
            try
            {
                module = torch.jit.load<torch.Tensor, torch.Tensor>(path);
            }
            catch (Exception e) when (e is ExternalException or IOException or ArgumentException)
            {
                throw new IOException($"cannot load TorchScript module '{path}': {FirstLine(e.Message)}", e);
            }
            return new TorchTrainer(TorchNetwork.FromScript(module), classes);
        });
    }

    public void GetParameters(Span<float> destination)
    {
        CheckLength(destination.Length, Layout.TotalLength, "parameter");
        CopyOut(_allEntries, destination);
    }

    public void SetParameters(ReadOnlySpan<float> source)
    {
        CheckLength(source.Length, Layout.TotalLength, "parameter");
        CopyIn(_allEntries, source);
    }

    public void GetParameters(ReadOnlySpan<int> entries, Span<float> destination)
    {
        CheckLength(destination.Length, SubsetLength(entries), "subset");
        CopyOut(entries, destination);
    }

    public void SetParameters(ReadOnlySpan<int> entries, ReadOnlySpan<float> source)
    {
        CheckLength(source.Length, SubsetLength(entries), "subset");
        CopyIn(entries, source);
    }

    public EpochResult TrainEpoch(TrainingData data, TrainOptions options) =>
        Train("train epoch", "a training epoch", data, options, (images, labels, generator) =>
            options.Privacy is { } dp
                ? DpEpoch(images, labels, options, dp, generator)
                : PlainEpoch(images, labels, options, generator));

    public double TrainBatch(TrainingData data, TrainOptions options) =>
        Train("train batch", "a training batch", data, options, (images, labels, generator) =>
        {
            if (options.Privacy is not { } dp)
            {
                return PlainStep(images, labels, options);
            }
            var expected = dp.ExpectedBatchSize > 0 ? dp.ExpectedBatchSize : data.Count;
            return DpStep(images, labels, options, dp, expected, generator) / data.Count;
        });

    public float[] Predict(ReadOnlyMemory<float> images, ImageShape shape)
    {
        if (images.Length % shape.Size != 0)
        {
            throw new ArgumentException($"{images.Length} floats are not a whole number of {shape} images", nameof(images));
        }
        var n = images.Length / shape.Size;
        var probabilities = new float[(long)n * Classes];
        return Guard("predict", () =>
        {
            TorchRuntime.EnsureLoaded();
            using var noGrad = torch.no_grad();
            _network.Train(false);
            try
            {
                for (var start = 0; start < n; start += PredictBatchMax)
                {
                    using var scope = torch.NewDisposeScope();
                    var count = Math.Min(PredictBatchMax, n - start);
                    var batch = TensorSpans.Floats(images.Span.Slice(start * shape.Size, count * shape.Size), count,
                        shape.Channels, shape.Height, shape.Width);
                    var probs = softmax(_network.Forward(batch), 1);
                    if (probs.shape[1] != Classes)
                    {
                        throw new ArgumentException($"the model gives {probs.shape[1]} classes, the trainer expects {Classes}");
                    }
                    TensorSpans.CopyTo(probs, probabilities.AsSpan(start * Classes, count * Classes));
                }
            }
            finally
            {
                _network.Train(true);
            }
            return probabilities;
        });
    }

    /// <summary>The penultimate features of <paramref name="images"/>: for each image, the activation that enters the
    /// model's last fully connected layer (the classifier), row after row, in evaluation mode and without gradients.
    /// Returns the features and their width. Zoo models only (the activation tape finds the last layer); a TorchScript
    /// module is refused as Unsupported.</summary>
    public (float[] Features, int Width) Features(ReadOnlyMemory<float> images, ImageShape shape)
    {
        if (images.Length % shape.Size != 0)
        {
            throw new ArgumentException($"{images.Length} floats are not a whole number of {shape} images", nameof(images));
        }
        var n = images.Length / shape.Size;
        return Guard("features", () =>
        {
            if (_network.Zoo is null)
            {
                throw new TorchException(TorchStatus.Unsupported, "features: only zoo models expose their penultimate layer");
            }
            TorchRuntime.EnsureLoaded();
            using var noGrad = torch.no_grad();
            _network.Train(false);
            try
            {
                float[]? features = null;
                var width = 0;
                for (var start = 0; start < n; start += PredictBatchMax)
                {
                    using var scope = torch.NewDisposeScope();
                    var count = Math.Min(PredictBatchMax, n - start);
                    var batch = TensorSpans.Floats(images.Span.Slice(start * shape.Size, count * shape.Size), count,
                        shape.Channels, shape.Height, shape.Width);
                    var tape = new ActivationTape();
                    _network.Forward(batch, tape);
                    var last = tape.Entries.LastOrDefault(e => e.Kind == LayerKind.Linear)
                        ?? throw new TorchException(TorchStatus.Unsupported, "features: the model has no fully connected last layer");
                    var input = last.Input.flatten(1).contiguous();
                    width = checked((int)input.shape[1]);
                    features ??= new float[(long)n * width];
                    TensorSpans.CopyTo(input, features.AsSpan(start * width, count * width));
                }
                return (features ?? [], width);
            }
            finally
            {
                _network.Train(true);
            }
        });
    }

    /// <summary>Recomputes every BatchNorm layer's running mean and variance for the current weights from
    /// <paramref name="data"/>: the statistics are reset, the images pass forward in training mode without gradients in
    /// batches of <paramref name="batchSize"/> in their given order, and batch k enters the running averages with
    /// momentum 1/k, so each ends as the plain mean of the batches' statistics (PyTorch's <c>update_bn</c> does the
    /// same for averaged weights). The weights are not changed. Returns the number of BatchNorm layers (0 for smallcnn
    /// and resnet18-gn, which need none).</summary>
    public int ReestimateBatchNorm(TrainingData data, int batchSize = 256) => Guard("re-estimate BatchNorm statistics", () =>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        TorchRuntime.EnsureLoaded();
        var norms = _network.BatchNorms();
        if (norms.Count == 0 || data.Count == 0)
        {
            return norms.Count;
        }
        using var noGrad = torch.no_grad();
        var saved = norms.Select(n => n.momentum).ToList();
        foreach (var norm in norms)
        {
            norm.reset_running_stats();
        }
        _network.Train(true);
        try
        {
            var shape = data.Shape;
            var batches = 0;
            for (var start = 0; start < data.Count; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var count = Math.Min(batchSize, data.Count - start);
                batches++;
                foreach (var norm in norms)
                {
                    norm.momentum = 1.0 / batches;
                }
                var batch = TensorSpans.Floats(data.Images.Span.Slice(start * shape.Size, count * shape.Size), count,
                    shape.Channels, shape.Height, shape.Width);
                _network.Forward(batch);
            }
        }
        finally
        {
            for (var i = 0; i < norms.Count; i++)
            {
                norms[i].momentum = saved[i];
            }
        }
        return norms.Count;
    });

    /// <summary>Each example's gradient norm before clipping, as DP-SGD computes it (one batched pass).</summary>
    public float[] PerSampleGradientNorms(TrainingData data) => Guard("per-sample gradient norms", () =>
    {
        RequirePrivacy();
        using var scope = torch.NewDisposeScope();
        var (images, labels) = Tensors(data);
        var (loss, tape) = TapedSummedLoss(images, labels);
        var norms = PerExampleGradients.SquaredNorms(_network, tape, loss, data.Count).sqrt();
        var result = new float[data.Count];
        TensorSpans.CopyTo(norms, result);
        return result;
    });

    /// <summary>The gradient of the batch's mean loss over the trainable entries (a prefix of the layout); no step.</summary>
    public void Gradient(TrainingData data, Span<float> destination)
    {
        CheckLength(destination.Length, Layout.TrainableLength, "gradient");
        var gradient = Guard("gradient", () =>
        {
            TorchRuntime.EnsureLoaded();
            using var scope = torch.NewDisposeScope();
            var (images, labels) = Tensors(data);
            var loss = cross_entropy(_network.Forward(images), labels);
            var grads = torch.autograd.grad([loss], _network.Trainable.Cast<torch.Tensor>().ToList());
            var flat = new float[Layout.TrainableLength];
            SecondOrder.Flatten(grads, flat);
            return flat;
        });
        gradient.CopyTo(destination);
    }

    /// <summary>The gradient-matching loss ‖∇θ L(x, y) − target‖² of candidate images x (the objective of gradient
    /// inversion, Zhu et al. 2019) and its gradient with respect to x, a second-order derivative through the
    /// parameter gradient. <paramref name="target"/> is a gradient over the trainable entries; a non-empty
    /// <paramref name="mask"/> of the same length keeps only the coordinates where it is 1.</summary>
    public double GradientMatching(TrainingData candidate, ReadOnlySpan<float> target, Span<float> imageGradient,
        ReadOnlySpan<float> mask = default)
    {
        CheckLength(target.Length, Layout.TrainableLength, "target gradient");
        CheckLength(imageGradient.Length, candidate.Images.Length, "image gradient");
        if (!mask.IsEmpty)
        {
            CheckLength(mask.Length, Layout.TrainableLength, "gradient mask");
        }
        var targetCopy = target.ToArray();
        var maskCopy = mask.IsEmpty ? null : mask.ToArray();
        var (loss, gradient) = Guard("gradient matching", () =>
        {
            TorchRuntime.EnsureLoaded();
            using var scope = torch.NewDisposeScope();
            var (images, labels) = Tensors(candidate);
            images.requires_grad_(true);
            return SecondOrder.MatchGradient(x => cross_entropy(_network.Forward(x), labels), images,
                _network.Trainable.Cast<torch.Tensor>().ToList(), TensorSpans.Floats(targetCopy, targetCopy.Length),
                maskCopy is null ? null : TensorSpans.Floats(maskCopy, maskCopy.Length));
        });
        gradient.CopyTo(imageGradient);
        return loss;
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _network.Dispose();
    }

    private EpochResult PlainEpoch(torch.Tensor images, torch.Tensor labels, TrainOptions options,
        torch.Generator generator)
    {
        var n = images.shape[0];
        var order = torch.randperm(n, generator: generator);
        double lossSum = 0;
        var steps = 0;
        for (long start = 0; start < n; start += options.BatchSize)
        {
            using var scope = torch.NewDisposeScope();
            var index = order.slice(0, start, Math.Min(n, start + options.BatchSize), 1);
            var loss = PlainStep(images.index_select(0, index), labels.index_select(0, index), options);
            lossSum += loss * index.shape[0];
            steps++;
        }
        return new EpochResult(lossSum / n, steps);
    }

    /// <summary>Poisson sampling: every example joins each step's batch independently with probability q; an
    /// epoch is round(1/q) steps, so each example is visited once in expectation (or <see cref="DpOptions.Steps"/>).</summary>
    private EpochResult DpEpoch(torch.Tensor images, torch.Tensor labels, TrainOptions options, DpOptions dp,
        torch.Generator generator)
    {
        var n = images.shape[0];
        var steps = dp.StepsPerCall;
        var expected = dp.SamplingRate * n;
        double lossSum = 0;
        long seen = 0;
        for (var step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            using var rate = HeldScalars.Of(dp.SamplingRate);
            var index = dp.Randomness == NoiseRandomness.Secure
                ? SecureNoise.PoissonSample(n, dp.SamplingRate)
                : torch.rand(n, generator: generator).lt(rate).nonzero().squeeze(1);
            lossSum += DpStep(images.index_select(0, index), labels.index_select(0, index), options, dp, expected,
                generator);
            seen += index.shape[0];
        }
        return new EpochResult(seen > 0 ? lossSum / seen : 0.0, steps);
    }

    private double PlainStep(torch.Tensor images, torch.Tensor labels, TrainOptions options)
    {
        _network.Train(true);
        _optimizer.ZeroGrad();
        var loss = cross_entropy(_network.Forward(images), labels);
        var objective = options.Transfer is { } anchor ? loss.Plus(anchor.Penalty(_network)) : loss;
        objective.backward();
        _optimizer.Step(options);
        return loss.item<float>();
    }

    /// <summary>DP-SGD (Abadi et al. 2016, Algorithm 1): the sum of per-example gradients clipped to C (Opacus'
    /// factor min(1, C / (‖g_i‖ + 1e-6))), plus N(0, σ²C²) per coordinate, divided by the expected batch size
    /// (Poisson sampling makes the actual size random); noise and masks from the OS CSPRNG unless the options ask for
    /// the seeded, not private, mode. The clipped sum is formed layer by layer from each layer's input and output
    /// gradient (<see cref="PerExampleGradients.ClippedSum"/>), with no second backward pass. Returns the summed
    /// loss of the batch.</summary>
    private double DpStep(torch.Tensor images, torch.Tensor labels, TrainOptions options, DpOptions dp,
        double expectedBatch, torch.Generator generator)
    {
        RequirePrivacy();
        _network.Train(true);
        _optimizer.ZeroGrad();
        double lossSum = 0;
        IReadOnlyList<torch.Tensor>? clipped = null;
        if (images.shape[0] > 0)
        {
            var (summed, tape) = TapedSummedLoss(images, labels);
            clipped = PerExampleGradients.ClippedSum(_network, tape, summed, images.shape[0], dp.ClipNorm);
            lossSum = summed.item<float>();
        }
        using (torch.no_grad())
        {
            var noiseStd = dp.NoiseMultiplier * dp.ClipNorm;
            using var noiseScale = HeldScalars.Of(noiseStd);
            using var batchScale = HeldScalars.Of(expectedBatch);
            for (var i = 0; i < _network.Trainable.Count; i++)
            {
                var parameter = _network.Trainable[i];
                var grad = clipped?[i] ?? torch.zeros_like(parameter);
                if (noiseStd > 0)
                {
                    var noise = dp.Randomness == NoiseRandomness.Secure
                        ? SecureNoise.Gaussian(parameter.shape)
                        : torch.randn(parameter.shape, generator: generator);
                    grad.add_(noise, noiseScale);
                }
                grad.div_(batchScale);
                parameter.grad = grad;
            }
        }
        _optimizer.Step(options);
        return lossSum;
    }

    /// <summary>The batch's summed loss from a forward pass that records the layers' inputs and outputs, as the
    /// per-example gradients need them.</summary>
    private (torch.Tensor Summed, ActivationTape Tape) TapedSummedLoss(torch.Tensor images, torch.Tensor labels)
    {
        var tape = new ActivationTape();
        var summed = cross_entropy(_network.Zoo!.Forward(images, tape), labels, reduction: torch.nn.Reduction.Sum);
        return (summed, tape);
    }

    private void RequirePrivacy()
    {
        if (!_network.DpCapable)
        {
            throw new PrivacyUnsupportedException(
                "DP-SGD needs a model whose trainable layers are Linear, Conv2d or GroupNorm (use smallcnn or " +
                "resnet18-gn; BatchNorm mixes examples, and TorchScript modules are not traced per example)");
        }
    }

    /// <summary>Checks the options and the data, sets the threads, and runs <paramref name="body"/> on the data as
    /// tensors with a generator seeded from the options, inside one dispose scope.</summary>
    private static T Train<T>(string operation, string what, TrainingData data, TrainOptions options,
        Func<torch.Tensor, torch.Tensor, torch.Generator, T> body) => Guard(operation, () =>
    {
        TrainOptionsValidator.Validate(options);
        if (data.Count == 0)
        {
            throw new ArgumentException($"{what} needs at least one example");
        }
        TorchRuntime.EnsureLoaded();
        if (options.Threads > 0)
        {
            TorchRuntime.SetThreads(options.Threads);
        }
        using var scope = torch.NewDisposeScope();
        var (images, labels) = Tensors(data);
        using var generator = new torch.Generator(options.Seed);
        return body(images, labels, generator);
    });

    private static (torch.Tensor Images, torch.Tensor Labels) Tensors(TrainingData data)
    {
        var shape = data.Shape;
        return (TensorSpans.Floats(data.Images.Span, data.Count, shape.Channels, shape.Height, shape.Width),
            TensorSpans.Longs(data.Labels.Span));
    }

    /// <summary>Copies the given layout entries, packed one after another in that order, into
    /// <paramref name="destination"/> (whose length the caller checked).</summary>
    private void CopyOut(ReadOnlySpan<int> entries, Span<float> destination)
    {
        var offset = 0;
        foreach (var index in entries)
        {
            var length = (int)Layout.Entries[index].Length;
            TensorSpans.CopyTo(_network.Tensors[index], destination.Slice(offset, length));
            offset += length;
        }
    }

    /// <summary>The inverse of <see cref="CopyOut"/>.</summary>
    private void CopyIn(ReadOnlySpan<int> entries, ReadOnlySpan<float> source)
    {
        var offset = 0;
        foreach (var index in entries)
        {
            var length = (int)Layout.Entries[index].Length;
            TensorSpans.CopyFrom(_network.Tensors[index], source.Slice(offset, length));
            offset += length;
        }
    }

    private long SubsetLength(ReadOnlySpan<int> entries)
    {
        long floats = 0;
        foreach (var index in entries)
        {
            if (index < 0 || index >= Layout.Entries.Count)
            {
                throw new TorchException(TorchStatus.InvalidArgument, $"subset index {index} is out of range");
            }
            floats += Layout.Entries[index].Length;
        }
        return floats;
    }

    private static void CheckLength(long actual, long expected, string what)
    {
        if (actual != expected)
        {
            var layout = what == "parameter" ? "the layout has" : "the model needs";
            throw new TorchException(TorchStatus.InvalidArgument,
                $"{what} buffer holds {actual} floats, {layout} {expected}");
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>Runs one engine operation under the engine's lock, turning its failures into
    /// <see cref="TorchException"/>s.</summary>
    private static T Guard<T>(string operation, Func<T> body)
    {
        try
        {
            lock (EngineGate)
            {
                return body();
            }
        }
        catch (TorchException)
        {
            throw;
        }
        catch (PrivacyUnsupportedException e)
        {
            throw new TorchException(TorchStatus.Unsupported, $"{operation} failed (Unsupported): {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new TorchException(TorchStatus.IoError, $"{operation} failed (IoError): {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new TorchException(TorchStatus.InvalidArgument, $"{operation} failed (InvalidArgument): {e.Message}", e);
        }
        catch (ExternalException e)
        {
            throw new TorchException(TorchStatus.TorchError,
                $"{operation} failed (TorchError): libtorch: {FirstLine(e.Message)}", e);
        }
    }
}
