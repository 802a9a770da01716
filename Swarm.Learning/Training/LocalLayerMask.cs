namespace Swarm.Learning.Training;

/// <summary>
/// The coordinates of a model that never leave the site: the personalization layers of FedPer (Arivazhagan et
/// al., "Federated Learning with Personalization Layers", 2019, §3), where the base layers are trained by the
/// federation and the top layers stay local. Built by <see cref="LocalLayers.Mask"/>; covers whole layout
/// entries, so it is a few contiguous blocks of the flat parameter vector.
/// </summary>
public sealed class LocalLayerMask
{
    private readonly int[] _entries;
    private readonly ParameterEntry[] _blocks;

    internal LocalLayerMask(int[] entries, ParameterEntry[] blocks, long totalLength)
    {
        _entries = entries;
        _blocks = blocks;
        TotalLength = totalLength;
        Length = blocks.Sum(b => b.Length);
    }

    /// <summary>Indices of the local entries in the model's <see cref="ParameterLayout"/>, in layout order: the
    /// form <see cref="ITrainer.GetParameters(ReadOnlySpan{int}, Span{float})"/> takes.</summary>
    public ReadOnlySpan<int> Entries => _entries;

    /// <summary>The local entries themselves, in layout order.</summary>
    public IReadOnlyList<ParameterEntry> Blocks => _blocks;

    /// <summary>Length of the model's flat parameter vector.</summary>
    public long TotalLength { get; }

    /// <summary>Number of local coordinates.</summary>
    public long Length { get; }

    /// <summary>Whether every coordinate is shared.</summary>
    public bool IsEmpty => _blocks.Length == 0;

    /// <summary>Whether coordinate <paramref name="index"/> of the flat vector is local.</summary>
    public bool Contains(long index)
    {
        foreach (var block in _blocks)
        {
            if (index >= block.Offset && index < block.Offset + block.Length)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Sets the local coordinates of <paramref name="vector"/> (a full parameter vector or Δ) to zero.</summary>
    public void Zero(Span<float> vector)
    {
        RequireLength(vector.Length);
        foreach (var block in _blocks)
        {
            vector.Slice((int)block.Offset, (int)block.Length).Clear();
        }
    }

    /// <summary>The indices of the shared (not local) coordinates, ascending.</summary>
    public int[] SharedIndices()
    {
        var shared = new int[TotalLength - Length];
        var k = 0;
        var next = 0L;
        foreach (var block in _blocks)
        {
            for (var i = next; i < block.Offset; i++)
            {
                shared[k++] = (int)i;
            }
            next = block.Offset + block.Length;
        }
        for (var i = next; i < TotalLength; i++)
        {
            shared[k++] = (int)i;
        }
        return shared;
    }

    private void RequireLength(int length)
    {
        if (length != TotalLength)
        {
            throw new ArgumentException($"vector has {length} coordinates, the model has {TotalLength}");
        }
    }
}
