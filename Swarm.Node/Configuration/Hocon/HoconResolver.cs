using System.Text;

namespace Swarm.Node.Configuration.Hocon;

/// <summary>Replaces every substitution in a built tree by the value it names, looked up in the whole tree (after
/// all merging) and, failing that, in the environment (HOCON spec, "Substitutions"). Keys whose value is an
/// undefined optional substitution disappear; cycles are errors that name the chain.</summary>
internal sealed class HoconResolver
{
    private readonly HoconObject _root;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<HoconPath, HoconValue?> _resolved = [];
    private readonly List<HoconPath> _active = [];

    private HoconResolver(HoconObject root, Func<string, string?> environment)
    {
        _root = root;
        _environment = environment;
    }

    public static HoconObject Resolve(HoconObject root, Func<string, string?> environment) =>
        new HoconResolver(root, environment).ResolveObject(root, HoconPath.Root, inTree: true);

    /// <summary>Resolves the value at a position of the tree once, remembering the result.</summary>
    private HoconValue? ResolveField(HoconPath path, HoconValue raw)
    {
        if (_resolved.TryGetValue(path, out var done))
        {
            return done;
        }
        if (_active.Contains(path))
        {
            var chain = string.Join(" -> ", _active.SkipWhile(p => !p.Equals(path)).Append(path));
            throw new HoconException(raw.Origin, path.ToString(), $"substitution cycle: {chain}");
        }
        _active.Add(path);
        var value = ResolveValue(raw, path, inTree: true);
        _active.RemoveAt(_active.Count - 1);
        _resolved[path] = value;
        return value;
    }

    private HoconValue? ResolveValue(HoconValue value, HoconPath at, bool inTree) => value switch
    {
        HoconObject obj => ResolveObject(obj, at, inTree),
        HoconArray array => new HoconArray([.. array.Items.Select(i => ResolveValue(i, at, inTree: false)).OfType<HoconValue>()], array.Origin),
        HoconSubstitution sub => ResolveSubstitution(sub, at),
        HoconConcatenation concat => Concatenate(concat, at),
        HoconMerge merge => ResolveMerge(merge, at),
        _ => value,
    };

    /// <summary>Objects at their place in the tree resolve field by field through the memo (substitutions look
    /// them up there); objects inside arrays, concatenations or merges are not places of the tree.</summary>
    private HoconObject ResolveObject(HoconObject obj, HoconPath at, bool inTree)
    {
        var result = new HoconObject(obj.Origin);
        foreach (var (key, raw) in obj.Fields)
        {
            var path = at.Append(key);
            var value = inTree ? ResolveField(path, raw) : ResolveValue(raw, path, inTree: false);
            if (value is not null)
            {
                result.Set(key, value);
            }
        }
        return result;
    }

    private HoconValue? ResolveSubstitution(HoconSubstitution sub, HoconPath at)
    {
        if (sub.RootLookup && Lookup(sub.Path) is { } found)
        {
            return found;
        }
        if (sub.Path.Count == 1 && _environment(sub.Path.Segments[0]) is { } text)
        {
            return new HoconString(text, new HoconOrigin($"environment variable {sub.Path.Segments[0]}", 0));
        }
        if (sub.Optional)
        {
            return null;
        }
        var fix = sub.Path.Count == 1
            ? $"define '{sub.Path}' in the configuration or the environment variable {sub.Path}, or write ${{?{sub.Path}}} if it may be absent"
            : $"define '{sub.Path}' in the configuration, or write ${{?{sub.Path}}} if it may be absent";
        var self = sub.RootLookup ? "" : " (it refers to its own key, which has no earlier value)";
        throw new HoconException(sub.Origin, at.ToString(), $"substitution {sub.Written} is not defined{self}; {fix}");
    }

    /// <summary>The resolved value at <paramref name="path"/>: walks unresolved objects, and resolves a merge or
    /// substitution on the way before looking inside it.</summary>
    private HoconValue? Lookup(HoconPath path)
    {
        HoconValue current = _root;
        var at = HoconPath.Root;
        var treePosition = true;
        foreach (var segment in path.Segments)
        {
            if (current is not HoconObject obj)
            {
                return null;
            }
            if (!obj.TryGetValue(segment, out var child))
            {
                return null;
            }
            at = at.Append(segment);
            if (treePosition)
            {
                if (child is HoconObject)
                {
                    current = child;
                    continue;
                }
                if (_active.Contains(at) && at.Count < path.Count)
                {
                    return LookupInsideActive(child, at, path.Segments.Skip(at.Count).ToList());
                }
                var resolved = ResolveField(at, child);
                if (resolved is null)
                {
                    return null;
                }
                current = resolved;
                treePosition = false;
            }
            else
            {
                current = child;
            }
        }
        return treePosition ? ResolveField(path, current) : current;
    }

    /// <summary>A key read from inside a value that is being resolved right now (<c>a = ${base} { x = ${a.y} }</c>):
    /// its parts are searched latest first; the first that defines the key as a non-object decides, objects found
    /// on the way merge over it.</summary>
    private HoconValue? LookupInsideActive(HoconValue raw, HoconPath at, IReadOnlyList<string> rest)
    {
        IReadOnlyList<HoconValue> items = raw switch
        {
            HoconMerge merge => merge.Items,
            HoconConcatenation concat => concat.Parts,
            _ => [raw],
        };
        var objects = new List<HoconObject>();
        for (var i = items.Count - 1; i >= 0; i--)
        {
            if (items[i] is HoconString { IsWhitespace: true })
            {
                continue;
            }
            var container = items[i] is HoconObject obj ? obj : ResolveValue(items[i], at, inTree: false);
            var value = container is null ? null : FindInside(container, at, rest);
            if (value is HoconObject found)
            {
                objects.Insert(0, found);
            }
            else if (value is not null)
            {
                return objects.Count == 0 ? value : objects.Aggregate((below, above) => below.MergedWith(above));
            }
        }
        return objects.Count == 0 ? null : objects.Aggregate((below, above) => below.MergedWith(above));
    }

    private HoconValue? FindInside(HoconValue container, HoconPath at, IReadOnlyList<string> rest)
    {
        var current = container;
        var path = at;
        foreach (var segment in rest)
        {
            if (current is not HoconObject obj || !obj.TryGetValue(segment, out var child))
            {
                return null;
            }
            path = path.Append(segment);
            if (_active.Contains(path))
            {
                var chain = string.Join(" -> ", _active.SkipWhile(p => !p.Equals(path)).Append(path));
                throw new HoconException(child.Origin, path.ToString(), $"substitution cycle: {chain}");
            }
            _active.Add(path);
            current = ResolveValue(child, path, inTree: false);
            _active.RemoveAt(_active.Count - 1);
            if (current is null)
            {
                return null;
            }
        }
        return current;
    }

    private HoconValue? ResolveMerge(HoconMerge merge, HoconPath at)
    {
        HoconValue? result = null;
        foreach (var item in merge.Items)
        {
            var value = ResolveValue(item, at, inTree: false);
            if (value is null)
            {
                continue;
            }
            result = result is HoconObject below && value is HoconObject above ? below.MergedWith(above) : value;
        }
        return result;
    }

    private HoconValue? Concatenate(HoconConcatenation concat, HoconPath at)
    {
        var parts = concat.Parts.Select(p => ResolveValue(p, at, inTree: false)).OfType<HoconValue>().ToList();
        var content = parts.Where(p => p is not HoconString { IsWhitespace: true }).ToList();
        if (content.Count == 0)
        {
            return null;
        }
        if (content.All(p => p is HoconObject))
        {
            return content.Cast<HoconObject>().Aggregate((below, above) => below.MergedWith(above));
        }
        if (content.All(p => p is HoconArray))
        {
            return new HoconArray([.. content.Cast<HoconArray>().SelectMany(a => a.Items)], concat.Origin);
        }
        var mixed = content.FirstOrDefault(p => !p.IsScalar);
        if (mixed is not null)
        {
            var other = content.First(p => p.IsScalar != mixed.IsScalar || p.Kind != mixed.Kind);
            throw new HoconException(concat.Origin, at.ToString(), $"cannot concatenate {mixed.KindName} with {other.KindName} (strings join, arrays append and objects merge only with their own kind)");
        }
        return JoinText(parts, concat.Origin);
    }

    private static HoconString JoinText(List<HoconValue> parts, HoconOrigin origin)
    {
        var first = parts.FindIndex(p => p is not HoconString { IsWhitespace: true });
        var last = parts.FindLastIndex(p => p is not HoconString { IsWhitespace: true });
        var text = new StringBuilder();
        for (var i = first; i <= last; i++)
        {
            text.Append(parts[i].ScalarText);
        }
        return new HoconString(text.ToString(), origin);
    }
}
