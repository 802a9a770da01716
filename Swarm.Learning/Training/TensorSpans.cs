using System.Runtime.InteropServices;
using TorchSharp;

namespace Swarm.Learning.Training;

/// <summary>Copies between managed float/long memory and contiguous CPU tensors through the tensor's own storage
/// (<see cref="torch.Tensor.bytes"/>), one memcpy each way.</summary>
internal static class TensorSpans
{
    public static torch.Tensor Floats(ReadOnlySpan<float> source, params long[] shape)
    {
        var tensor = torch.empty(shape, torch.float32);
        source.CopyTo(MemoryMarshal.Cast<byte, float>(tensor.bytes));
        return tensor;
    }

    public static torch.Tensor Longs(ReadOnlySpan<long> source)
    {
        var tensor = torch.empty([source.Length], torch.int64);
        if (source.IsEmpty)
        {
            return tensor; // an empty tensor has no storage to write
        }
        source.CopyTo(MemoryMarshal.Cast<byte, long>(tensor.bytes));
        return tensor;
    }

    /// <summary>Copies a float tensor (made contiguous first if it is not) into <paramref name="destination"/>,
    /// which must hold exactly its elements.</summary>
    public static void CopyTo(torch.Tensor tensor, Span<float> destination)
    {
        using var contiguous = tensor.contiguous();
        MemoryMarshal.Cast<byte, float>(contiguous.bytes).CopyTo(destination);
    }

    /// <summary>Overwrites a contiguous float tensor (a parameter or buffer) with <paramref name="source"/>.</summary>
    public static void CopyFrom(torch.Tensor tensor, ReadOnlySpan<float> source) =>
        source.CopyTo(MemoryMarshal.Cast<byte, float>(tensor.bytes));
}
