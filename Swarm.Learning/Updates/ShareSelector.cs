using Swarm.Learning.Training;

namespace Swarm.Learning.Updates;

/// <summary>
/// Decides which coordinates of a site's Δ leave the site, and checks that a received update keeps to the same
/// rule. Coordinates are of three kinds, by layout entry:
/// <list type="bullet">
/// <item>local: the FedPer layers (<see cref="LocalLayerMask"/>): never sent, not even as a zero;</item>
/// <item>dense: shared entries that are not trainable (BatchNorm's running mean and variance). They are statistics
/// of the data, not a gradient step, and a few thousand floats even in ResNet-18, so they are always sent whole and
/// never compete with the weights for the top-θ share;</item>
/// <item>selectable: every other (trainable, shared) coordinate; the top-θ share by |Δ| of these is sent
/// (Shokri &amp; Shmatikov, CCS 2015), over the whole model or layer by layer (<see cref="TopKScope"/>).</item>
/// </list>
/// A received update may hold at most <see cref="CoordinatesMax"/> coordinates (what an honest selection holds:
/// ⌈θ·m⌉ of the m selectable coordinates, or Σ ⌈θ·n⌉ over the layers, plus every dense coordinate), none of a
/// local layer, and under layer scope at most ⌈θ·n⌉ in each layer.
/// </summary>
public sealed class ShareSelector
{
    private readonly Block[] _blocks;
    private readonly int[] _selectable;
    private readonly int[] _dense;

    public ShareSelector(ParameterLayout layout, LocalLayerMask local, SharingOptions options)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }
        if (local.TotalLength != layout.TotalLength)
        {
            throw new ArgumentException($"the local layer mask is for {local.TotalLength} coordinates, the model has {layout.TotalLength}", nameof(local));
        }
        Options = options;
        Length = checked((int)layout.TotalLength);
        var localOffsets = local.Blocks.Select(b => b.Offset).ToHashSet();
        _blocks = [.. layout.Entries.OrderBy(e => e.Offset).Select(e => new Block(e,
            localOffsets.Contains(e.Offset) ? Kind.Local : e.Trainable ? Kind.Selectable : Kind.Dense,
            PartialUpdate.KeepCount(options.Fraction, checked((int)e.Length))))];
        _selectable = Indices(Kind.Selectable);
        _dense = Indices(Kind.Dense);
        SelectableLength = _selectable.Length;
        var selected = options.Scope == TopKScope.Global
            ? PartialUpdate.KeepCount(options.Fraction, _selectable.Length)
            : _blocks.Where(b => b.Kind == Kind.Selectable).Sum(b => b.Keep);
        CoordinatesMax = selected + _dense.Length;
    }

    public SharingOptions Options { get; }

    /// <summary>Length of the model's flat parameter vector.</summary>
    public int Length { get; }

    /// <summary>Coordinates the top-θ share is chosen among.</summary>
    public int SelectableLength { get; }

    /// <summary>The most coordinates a valid update holds (exactly what <see cref="Select"/> gives).</summary>
    public int CoordinatesMax { get; }

    /// <summary>The share of <paramref name="delta"/> that leaves the site: every dense coordinate and the top-θ of
    /// the selectable ones by magnitude (ties to the lower index, as <see cref="PartialUpdate.SelectTop"/>). When
    /// that is every coordinate of the model the update is dense.</summary>
    public SparseUpdate Select(ReadOnlySpan<float> delta)
    {
        RequireLength(delta.Length);
        if (CoordinatesMax == Length)
        {
            return SparseUpdate.Dense(delta);
        }
        var chosen = new List<int>(CoordinatesMax);
        if (Options.Scope == TopKScope.Global)
        {
            chosen.AddRange(TopOf(delta, _selectable));
        }
        else
        {
            foreach (var block in _blocks.Where(b => b.Kind == Kind.Selectable))
            {
                var top = PartialUpdate.SelectTop(delta.Slice(block.Offset, block.Length), Options.Fraction);
                chosen.AddRange(top.Indices.Select(i => block.Offset + i));
            }
        }
        chosen.AddRange(_dense);
        chosen.Sort();
        var indices = chosen.ToArray();
        var values = new float[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            values[i] = delta[indices[i]];
        }
        return SparseUpdate.Create(Length, indices, values);
    }

    /// <summary>What of <paramref name="delta"/> stayed behind when <paramref name="sent"/> left: Δ on the
    /// selectable coordinates that were not sent, zero elsewhere (local layers are never sent, so they carry no
    /// residual; dense coordinates are always sent whole). Error feedback adds it to the next round's Δ.</summary>
    public float[] Residual(ReadOnlySpan<float> delta, SparseUpdate sent)
    {
        RequireLength(delta.Length);
        var residual = new float[Length];
        foreach (var i in _selectable)
        {
            residual[i] = delta[i];
        }
        foreach (var i in sent.Indices)
        {
            residual[i] = 0;
        }
        return residual;
    }

    /// <summary>Null when <paramref name="update"/> keeps to the sharing rule; otherwise why it does not.</summary>
    public string? Check(SparseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Length != Length)
        {
            return $"it has {update.Length} coordinates, the model has {Length}";
        }
        if (update.Count > CoordinatesMax)
        {
            return $"it shares {update.Count} coordinates; θ = {Options.Fraction} allows at most {CoordinatesMax} " +
                $"({(Options.Scope == TopKScope.Global ? "global" : "per-layer")} top-θ of {SelectableLength} selectable, plus {_dense.Length} running statistics)";
        }
        var b = 0;
        var inBlock = 0;
        foreach (var index in update.Indices)
        {
            while (index >= _blocks[b].Offset + _blocks[b].Length)
            {
                b++;
                inBlock = 0;
            }
            var block = _blocks[b];
            inBlock++;
            if (block.Kind == Kind.Local)
            {
                return $"it shares coordinate {index} of '{block.Name}', a layer every site keeps local";
            }
            if (Options.Scope == TopKScope.Layer && block.Kind == Kind.Selectable && inBlock > block.Keep)
            {
                return $"it shares more than {block.Keep} coordinates of layer '{block.Name}'; per-layer θ = {Options.Fraction} allows {block.Keep}";
            }
        }
        return null;
    }

    private IEnumerable<int> TopOf(ReadOnlySpan<float> delta, int[] among)
    {
        var compact = new float[among.Length];
        for (var i = 0; i < among.Length; i++)
        {
            compact[i] = delta[among[i]];
        }
        return PartialUpdate.SelectTop(compact, Options.Fraction).Indices.Select(i => among[i]);
    }

    private int[] Indices(Kind kind) =>
        [.. _blocks.Where(b => b.Kind == kind).SelectMany(b => Enumerable.Range(b.Offset, b.Length))];

    private void RequireLength(int length)
    {
        if (length != Length)
        {
            throw new ArgumentException($"update has {length} coordinates, the model has {Length}");
        }
    }

    private enum Kind
    {
        Selectable,
        Dense,
        Local,
    }

    private sealed record Block(string Name, int Offset, int Length, Kind Kind, int Keep)
    {
        public Block(ParameterEntry entry, Kind kind, int keep)
            : this(entry.Name, checked((int)entry.Offset), checked((int)entry.Length), kind, keep)
        {
        }
    }
}
