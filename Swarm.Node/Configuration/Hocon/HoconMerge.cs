namespace Swarm.Node.Configuration.Hocon;

/// <summary>Values assigned to one key in order, where a later one is not yet known (a substitution): the
/// merge happens at resolution, later over earlier, objects merging and anything else replacing. An optional
/// substitution that stays undefined drops out, so the earlier value stays.</summary>
internal sealed class HoconMerge : HoconValue
{
    private readonly List<HoconValue> _items;

    private HoconMerge(IEnumerable<HoconValue> items, HoconOrigin origin)
        : base(origin)
    {
        _items = [.. items];
    }

    public IReadOnlyList<HoconValue> Items => _items;

    public override HoconValueKind Kind => HoconValueKind.Unresolved;

    /// <summary>A merge of <paramref name="below"/> then <paramref name="above"/>, flattening nested merges.</summary>
    public static HoconMerge Of(HoconValue below, HoconValue above)
    {
        var items = below is HoconMerge m ? [.. m._items] : new List<HoconValue> { below };
        items.Add(above);
        return new HoconMerge(items, below.Origin);
    }

    /// <summary>The object that later fields of this key are written into (appended when the last item is not one).</summary>
    public HoconObject OpenLastObject(HoconOrigin origin)
    {
        if (_items[^1] is HoconObject last)
        {
            return last;
        }
        var created = new HoconObject(origin);
        _items.Add(created);
        return created;
    }

    internal override HoconValue Snapshot() => new HoconMerge(_items.Select(i => i.Snapshot()), Origin);
}
