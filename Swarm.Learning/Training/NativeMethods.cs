using System.Runtime.InteropServices;

namespace Swarm.Learning.Training;

/// <summary>P/Invoke declarations of the native shim <c>libswarm_torch.so</c> (native/include/swarm_torch.h).
/// Every function returns a <see cref="TorchStatus"/>; the message of a failure is read with
/// <see cref="LastError"/> on the same thread.</summary>
internal static unsafe partial class NativeMethods
{
    internal const string Library = "swarm_torch";

    static NativeMethods() => NativeLibraryResolver.Register(typeof(NativeMethods).Assembly);

    [LibraryImport(Library, EntryPoint = "swarm_last_error")]
    internal static partial nint LastError();

    [LibraryImport(Library, EntryPoint = "swarm_set_threads")]
    internal static partial TorchStatus SetThreads(int threads);

    [LibraryImport(Library, EntryPoint = "swarm_model_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial TorchStatus ModelCreate(string name, int inChannels, int classes, int imageSize, ulong seed,
        out TorchModelHandle model);

    [LibraryImport(Library, EntryPoint = "swarm_model_load", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial TorchStatus ModelLoad(string path, out TorchModelHandle model);

    [LibraryImport(Library, EntryPoint = "swarm_model_free")]
    internal static partial void ModelFree(nint model);

    [LibraryImport(Library, EntryPoint = "swarm_model_layout")]
    internal static partial TorchStatus ModelLayout(TorchModelHandle model, out int entries, out long totalFloats);

    [LibraryImport(Library, EntryPoint = "swarm_model_layout_entry")]
    internal static partial TorchStatus ModelLayoutEntry(TorchModelHandle model, int index, out nint name, out int ndim,
        long* shape, out long offset, out long numel, out int trainable);

    [LibraryImport(Library, EntryPoint = "swarm_model_dp_capable")]
    internal static partial TorchStatus ModelDpCapable(TorchModelHandle model, out int capable);

    [LibraryImport(Library, EntryPoint = "swarm_model_get_parameters")]
    internal static partial TorchStatus GetParameters(TorchModelHandle model, float* destination, long length);

    [LibraryImport(Library, EntryPoint = "swarm_model_set_parameters")]
    internal static partial TorchStatus SetParameters(TorchModelHandle model, float* source, long length);

    [LibraryImport(Library, EntryPoint = "swarm_model_get_subset")]
    internal static partial TorchStatus GetSubset(TorchModelHandle model, int* indices, int count, float* destination,
        long length);

    [LibraryImport(Library, EntryPoint = "swarm_model_set_subset")]
    internal static partial TorchStatus SetSubset(TorchModelHandle model, int* indices, int count, float* source,
        long length);

    [LibraryImport(Library, EntryPoint = "swarm_model_train_batch")]
    internal static partial TorchStatus TrainBatch(TorchModelHandle model, float* images, long* labels, long n,
        int channels, int height, int width, in NativeTrainOptions options, out double loss);

    [LibraryImport(Library, EntryPoint = "swarm_model_train_epoch")]
    internal static partial TorchStatus TrainEpoch(TorchModelHandle model, float* images, long* labels, long n,
        int channels, int height, int width, in NativeTrainOptions options, out double meanLoss, out int steps);

    [LibraryImport(Library, EntryPoint = "swarm_model_predict")]
    internal static partial TorchStatus Predict(TorchModelHandle model, float* images, long n, int channels, int height,
        int width, float* probabilities, long length);

    [LibraryImport(Library, EntryPoint = "swarm_model_per_sample_norms")]
    internal static partial TorchStatus PerSampleNorms(TorchModelHandle model, float* images, long* labels, long n,
        int channels, int height, int width, float* norms);

    [LibraryImport(Library, EntryPoint = "swarm_model_gradient")]
    internal static partial TorchStatus Gradient(TorchModelHandle model, float* images, long* labels, long n,
        int channels, int height, int width, float* gradient, long length);
}
