using System.Runtime.InteropServices;

namespace Swarm.Learning.Training;

/// <summary>A model trained by libtorch through the native shim: a zoo model (<c>smallcnn</c>, <c>resnet18</c>,
/// <c>resnet18-gn</c>) or a TorchScript module. Not thread-safe: one caller at a time.</summary>
public sealed unsafe class TorchTrainer : ITrainer
{
    private readonly TorchModelHandle _handle;

    private TorchTrainer(TorchModelHandle handle, int classes)
    {
        _handle = handle;
        Classes = classes;
        Layout = ReadLayout(handle);
        TorchException.ThrowIfFailed(NativeMethods.ModelDpCapable(handle, out var capable), "dp capability");
        SupportsPrivacy = capable != 0;
    }

    public ParameterLayout Layout { get; }

    public int Classes { get; }

    /// <summary>True when DP-SGD can train this model (no BatchNorm; a zoo model).</summary>
    public bool SupportsPrivacy { get; }

    /// <summary>Builds a zoo model with weights drawn from <paramref name="seed"/>.</summary>
    public static TorchTrainer Create(string model, int inChannels, int classes, int imageSize = 28, ulong seed = 1)
    {
        TorchModelHandle? handle = null;
        var status = TorchRuntime.Invoke(() =>
            NativeMethods.ModelCreate(model, inChannels, classes, imageSize, seed, out handle));
        return Wrap(status, handle, classes, $"create model '{model}'");
    }

    /// <summary>Loads a TorchScript module mapping N × C × H × W images to N × <paramref name="classes"/> logits.</summary>
    public static TorchTrainer Load(string path, int classes)
    {
        TorchModelHandle? handle = null;
        var status = TorchRuntime.Invoke(() => NativeMethods.ModelLoad(path, out handle));
        return Wrap(status, handle, classes, $"load '{path}'");
    }

    public void GetParameters(Span<float> destination)
    {
        fixed (float* p = destination)
        {
            TorchException.ThrowIfFailed(NativeMethods.GetParameters(_handle, p, destination.Length), "get parameters");
        }
    }

    public void SetParameters(ReadOnlySpan<float> source)
    {
        fixed (float* p = source)
        {
            TorchException.ThrowIfFailed(NativeMethods.SetParameters(_handle, p, source.Length), "set parameters");
        }
    }

    public void GetParameters(ReadOnlySpan<int> entries, Span<float> destination)
    {
        fixed (int* e = entries)
        fixed (float* p = destination)
        {
            TorchException.ThrowIfFailed(
                NativeMethods.GetSubset(_handle, e, entries.Length, p, destination.Length), "get parameter subset");
        }
    }

    public void SetParameters(ReadOnlySpan<int> entries, ReadOnlySpan<float> source)
    {
        fixed (int* e = entries)
        fixed (float* p = source)
        {
            TorchException.ThrowIfFailed(
                NativeMethods.SetSubset(_handle, e, entries.Length, p, source.Length), "set parameter subset");
        }
    }

    public EpochResult TrainEpoch(TrainingData data, TrainOptions options)
    {
        ApplyThreads(options);
        var native = NativeTrainOptions.From(options);
        var shape = data.Shape;
        fixed (float* images = data.Images.Span)
        fixed (long* labels = data.Labels.Span)
        {
            var status = NativeMethods.TrainEpoch(_handle, images, labels, data.Count, shape.Channels, shape.Height,
                shape.Width, in native, out var loss, out var steps);
            TorchException.ThrowIfFailed(status, "train epoch");
            return new EpochResult(loss, steps);
        }
    }

    public double TrainBatch(TrainingData data, TrainOptions options)
    {
        ApplyThreads(options);
        var native = NativeTrainOptions.From(options);
        var shape = data.Shape;
        fixed (float* images = data.Images.Span)
        fixed (long* labels = data.Labels.Span)
        {
            var status = NativeMethods.TrainBatch(_handle, images, labels, data.Count, shape.Channels, shape.Height,
                shape.Width, in native, out var loss);
            TorchException.ThrowIfFailed(status, "train batch");
            return loss;
        }
    }

    public float[] Predict(ReadOnlyMemory<float> images, ImageShape shape)
    {
        if (images.Length % shape.Size != 0)
        {
            throw new ArgumentException($"{images.Length} floats are not a whole number of {shape} images", nameof(images));
        }
        var n = images.Length / shape.Size;
        var probabilities = new float[(long)n * Classes];
        fixed (float* x = images.Span)
        fixed (float* p = probabilities)
        {
            TorchException.ThrowIfFailed(
                NativeMethods.Predict(_handle, x, n, shape.Channels, shape.Height, shape.Width, p, probabilities.Length),
                "predict");
        }
        return probabilities;
    }

    /// <summary>Each example's gradient norm before clipping, as DP-SGD computes it (one batched pass).</summary>
    public float[] PerSampleGradientNorms(TrainingData data)
    {
        var norms = new float[data.Count];
        var shape = data.Shape;
        fixed (float* images = data.Images.Span)
        fixed (long* labels = data.Labels.Span)
        fixed (float* p = norms)
        {
            TorchException.ThrowIfFailed(NativeMethods.PerSampleNorms(_handle, images, labels, data.Count,
                shape.Channels, shape.Height, shape.Width, p), "per-sample gradient norms");
        }
        return norms;
    }

    /// <summary>The gradient of the batch's mean loss over the trainable entries (a prefix of the layout); no step.</summary>
    public void Gradient(TrainingData data, Span<float> destination)
    {
        var shape = data.Shape;
        fixed (float* images = data.Images.Span)
        fixed (long* labels = data.Labels.Span)
        fixed (float* p = destination)
        {
            TorchException.ThrowIfFailed(NativeMethods.Gradient(_handle, images, labels, data.Count, shape.Channels,
                shape.Height, shape.Width, p, destination.Length), "gradient");
        }
    }

    public void Dispose() => _handle.Dispose();

    private static TorchTrainer Wrap(TorchStatus status, TorchModelHandle? handle, int classes, string operation)
    {
        if (status != TorchStatus.Ok)
        {
            handle?.Dispose();
            TorchException.ThrowIfFailed(status, operation);
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        try
        {
            return new TorchTrainer(handle!, classes);
        }
        catch
        {
            handle!.Dispose();
            throw;
        }
    }

    private static void ApplyThreads(TrainOptions options)
    {
        if (options.Threads > 0)
        {
            TorchRuntime.SetThreads(options.Threads);
        }
    }

    private static ParameterLayout ReadLayout(TorchModelHandle handle)
    {
        TorchException.ThrowIfFailed(NativeMethods.ModelLayout(handle, out var count, out var total), "layout");
        var entries = new List<ParameterEntry>(count);
        var shape = stackalloc long[8];
        for (var i = 0; i < count; i++)
        {
            TorchException.ThrowIfFailed(NativeMethods.ModelLayoutEntry(handle, i, out var name, out var ndim, shape,
                out var offset, out var length, out var trainable), "layout entry");
            var dims = new int[ndim];
            for (var d = 0; d < ndim; d++)
            {
                dims[d] = checked((int)shape[d]);
            }
            entries.Add(new ParameterEntry(Marshal.PtrToStringUTF8(name) ?? "", dims, offset, length, trainable != 0));
        }
        return new ParameterLayout(entries, total);
    }
}
