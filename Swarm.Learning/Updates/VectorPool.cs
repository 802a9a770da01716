using System.Collections.Concurrent;

namespace Swarm.Learning.Updates;

/// <summary>
/// Arrays of an exact length, kept for reuse. Every site reads and decodes every update of every round into vectors
/// of the model's length, and on a small VM fresh memory of that size costs more than the work done in it (a
/// SmallCnn recomputation took 35 ms in fresh arrays against 10 ms in reused ones, the difference being the
/// runtime's large-object heap handing back and faulting in pages). Rented arrays are not cleared: the renter
/// overwrites every element. A returned array must not be used again by whoever returned it. At most
/// <see cref="RetainedBytesMax"/> bytes are kept per element type; arrays beyond that go to the garbage collector.
/// </summary>
public sealed class VectorPool<T> where T : unmanaged
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<T[]>> _free = new();
    private long _retainedBytes;

    /// <summary>The pool of the process.</summary>
    public static VectorPool<T> Shared { get; } = new();

    /// <summary>What the pool keeps at most, per element type: 96 MiB, a few dozen SmallCnn vectors or two
    /// ResNet-18 ones.</summary>
    public const long RetainedBytesMax = 96L * 1024 * 1024;

    /// <summary>Bytes the pool holds now.</summary>
    public long RetainedBytes => Interlocked.Read(ref _retainedBytes);

    /// <summary>An array of exactly <paramref name="length"/> elements, with arbitrary contents.</summary>
    public T[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > 0 && _free.TryGetValue(length, out var bag) && bag.TryTake(out var array))
        {
            Interlocked.Add(ref _retainedBytes, -SizeOf(length));
            return array;
        }
        return length == 0 ? [] : GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Gives <paramref name="array"/> back for a later <see cref="Rent"/> of its length.</summary>
    public void Return(T[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length == 0)
        {
            return;
        }
        var size = SizeOf(array.Length);
        if (Interlocked.Add(ref _retainedBytes, size) > RetainedBytesMax)
        {
            Interlocked.Add(ref _retainedBytes, -size);
            return;
        }
        _free.GetOrAdd(array.Length, _ => []).Add(array);
    }

    private static long SizeOf(int length) => (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
}
