namespace Swarm.Node.Configuration.Hocon;

/// <summary>An object: fields in the order they were first defined. Changed only while a configuration is built;
/// a resolved tree is read-only to everyone outside this library.</summary>
public sealed class HoconObject(HoconOrigin origin) : HoconValue(origin)
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, HoconValue> _fields = new(StringComparer.Ordinal);

    public override HoconValueKind Kind => HoconValueKind.Object;

    public int Count => _order.Count;

    public IEnumerable<string> Keys => _order;

    public IEnumerable<KeyValuePair<string, HoconValue>> Fields => _order.Select(k => KeyValuePair.Create(k, _fields[k]));

    public bool TryGetValue(string key, out HoconValue value) => _fields.TryGetValue(key, out value!);

    public HoconValue? this[string key] => _fields.GetValueOrDefault(key);

    /// <summary>The value at a path below this object, or null when some element is missing or not an object.</summary>
    public HoconValue? Find(HoconPath path)
    {
        HoconValue current = this;
        foreach (var segment in path.Segments)
        {
            if (current is not HoconObject obj || !obj.TryGetValue(segment, out current))
            {
                return null;
            }
        }
        return current;
    }

    internal void Set(string key, HoconValue value)
    {
        if (!_fields.ContainsKey(key))
        {
            _order.Add(key);
        }
        _fields[key] = value;
    }

    /// <summary>A new object: this one with <paramref name="over"/> laid on top. Objects merge field by field,
    /// anything else in <paramref name="over"/> replaces what was here (HOCON spec, "Duplicate keys").</summary>
    public HoconObject MergedWith(HoconObject over)
    {
        var result = new HoconObject(Origin);
        foreach (var (key, value) in Fields)
        {
            result.Set(key, value);
        }
        foreach (var (key, value) in over.Fields)
        {
            var merged = result[key] is HoconObject below && value is HoconObject above ? below.MergedWith(above) : value;
            result.Set(key, merged);
        }
        return result;
    }

    internal override HoconValue Snapshot()
    {
        var copy = new HoconObject(Origin);
        foreach (var (key, value) in Fields)
        {
            copy.Set(key, value.Snapshot());
        }
        return copy;
    }
}
