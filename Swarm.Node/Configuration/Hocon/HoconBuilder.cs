namespace Swarm.Node.Configuration.Hocon;

/// <summary>Applies syntax trees, in order, to one value tree: later fields win, objects merge, includes are
/// read where they stand, and a self-reference (<c>a = ${a} ...</c>, <c>a += x</c>) is bound to the value the key
/// had just before (HOCON spec: "Duplicate keys", "Self-referential substitutions", "Includes").</summary>
internal sealed class HoconBuilder
{
    private readonly HoconObject _root = new(new HoconOrigin("(root)", 0));

    /// <summary>The unresolved tree built so far.</summary>
    public HoconObject Root => _root;

    public void Add(HoconLayer layer)
    {
        var syntax = HoconParser.Parse(layer.ReadText(), layer.SourceName);
        var stack = layer.FilePath is null ? [] : new List<string> { layer.FilePath };
        var context = new IncludeContext(layer.BaseDirectory, DisplayDirectory(layer), stack, layer.IncludesAllowed);
        Fill(_root, HoconPath.Root, syntax, context);
    }

    private static string DisplayDirectory(HoconLayer layer) =>
        layer.FilePath is null ? "" : Path.GetDirectoryName(layer.SourceName) ?? "";

    private sealed record IncludeContext(string Directory, string DisplayDirectory, IReadOnlyList<string> Stack, bool IncludesAllowed);

    private void Fill(HoconObject container, HoconPath prefix, SyntaxObject syntax, IncludeContext context)
    {
        foreach (var entry in syntax.Entries)
        {
            switch (entry)
            {
                case SyntaxInclude include:
                    Include(container, prefix, include, context);
                    break;
                case SyntaxField field:
                    Field(container, prefix, field, context);
                    break;
            }
        }
    }

    private void Field(HoconObject container, HoconPath prefix, SyntaxField field, IncludeContext context)
    {
        var target = container;
        var path = prefix;
        var segments = field.Path.Segments;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            path = path.Append(segments[i]);
            target = OpenObject(target, segments[i], field.Origin);
        }
        var key = segments[^1];
        var fieldPath = path.Append(key);
        IReadOnlyList<SyntaxPart> parts = field.Value.Parts;
        if (field.Append)
        {
            // a += x is a = ${?a} [x] (HOCON spec, "The += field separator").
            var self = new SyntaxLiteral(new HoconSubstitution(fieldPath, optional: true, field.Origin));
            parts = [self, new SyntaxArray([field.Value], field.Origin)];
        }
        Assign(target, key, fieldPath, parts, context);
    }

    private void Assign(HoconObject target, string key, HoconPath fieldPath, IReadOnlyList<SyntaxPart> parts, IncludeContext context)
    {
        if (!parts.Any(p => p is SyntaxObject))
        {
            var value = FixSelfReferences(Convert(parts, fieldPath, context), fieldPath);
            SetValue(target, key, value);
            return;
        }
        // Objects side by side merge, so each part is laid over the key in turn.
        foreach (var part in parts)
        {
            switch (part)
            {
                case SyntaxObject obj:
                    Fill(OpenObject(target, key, obj.Origin), fieldPath, obj, context);
                    break;
                case SyntaxLiteral { Value: HoconString { IsWhitespace: true } }:
                    break;
                case SyntaxLiteral { Value: HoconSubstitution sub }:
                    SetValue(target, key, FixSelfReferences(sub, fieldPath));
                    break;
                default:
                    throw new HoconException(part.Origin, fieldPath.ToString(), "cannot concatenate an object with a non-object value (put the object alone, or quote the text)");
            }
        }
    }

    /// <summary>Sets a key: a known value replaces (or merges into an object); a value still unknown is kept with
    /// what it lays over, to be merged at resolution.</summary>
    private static void SetValue(HoconObject target, string key, HoconValue value)
    {
        if (!target.TryGetValue(key, out var existing))
        {
            target.Set(key, value);
            return;
        }
        var merged = value switch
        {
            HoconSubstitution or HoconConcatenation => HoconMerge.Of(existing, value),
            HoconObject above when existing is HoconObject below => below.MergedWith(above),
            HoconObject above when existing.Kind == HoconValueKind.Unresolved => HoconMerge.Of(existing, above),
            _ => value,
        };
        target.Set(key, merged);
    }

    /// <summary>The object that fields under <paramref name="key"/> are written into: the existing object, a new
    /// one replacing a scalar or array, or a new one laid over an unresolved value.</summary>
    private static HoconObject OpenObject(HoconObject target, string key, HoconOrigin origin)
    {
        if (target.TryGetValue(key, out var existing))
        {
            switch (existing)
            {
                case HoconObject obj:
                    return obj;
                case HoconMerge merge:
                    return merge.OpenLastObject(origin);
                case HoconSubstitution or HoconConcatenation:
                    var above = new HoconObject(origin);
                    target.Set(key, HoconMerge.Of(existing, above));
                    return above;
            }
        }
        var created = new HoconObject(origin);
        target.Set(key, created);
        return created;
    }

    private HoconValue Convert(IReadOnlyList<SyntaxPart> parts, HoconPath at, IncludeContext context)
    {
        if (parts.Count == 1)
        {
            return ConvertPart(parts[0], at, context);
        }
        return new HoconConcatenation([.. parts.Select(p => ConvertPart(p, at, context))], parts[0].Origin);
    }

    private HoconValue ConvertPart(SyntaxPart part, HoconPath at, IncludeContext context)
    {
        switch (part)
        {
            case SyntaxLiteral literal:
                return literal.Value;
            case SyntaxArray array:
                return new HoconArray([.. array.Items.Select(i => Convert(i.Parts, at, context))], array.Origin);
            case SyntaxObject obj:
                var standalone = new HoconObject(obj.Origin);
                Fill(standalone, at, obj, context);
                return standalone;
            default:
                throw new InvalidOperationException($"unknown syntax part {part.GetType().Name}");
        }
    }

    /// <summary>Binds each <c>${p}</c> where p is the field's own path (or an ancestor of it) to p's current value;
    /// with no current value, only the environment (or optionality) can satisfy it.</summary>
    private HoconValue FixSelfReferences(HoconValue value, HoconPath fieldPath) => value switch
    {
        HoconSubstitution sub when sub.Path.IsPrefixOf(fieldPath) => Previous(sub, fieldPath),
        HoconConcatenation concat => new HoconConcatenation([.. concat.Parts.Select(p => FixSelfReferences(p, fieldPath))], concat.Origin),
        HoconArray array => new HoconArray([.. array.Items.Select(i => FixSelfReferences(i, fieldPath))], array.Origin),
        _ => value,
    };

    private HoconValue Previous(HoconSubstitution sub, HoconPath fieldPath)
    {
        HoconValue current = _root;
        foreach (var segment in sub.Path.Segments)
        {
            switch (current)
            {
                case HoconObject obj when obj.TryGetValue(segment, out var child):
                    current = child;
                    break;
                case HoconObject:
                    return sub.WithoutRootLookup();
                case { Kind: HoconValueKind.Unresolved }:
                    throw new HoconException(sub.Origin, fieldPath.ToString(), $"self-reference {sub.Written} passes through a value that is itself a substitution; refer to a key outside it");
                default:
                    return sub.WithoutRootLookup();
            }
        }
        return current.Snapshot();
    }

    private void Include(HoconObject container, HoconPath prefix, SyntaxInclude include, IncludeContext context)
    {
        if (!context.IncludesAllowed)
        {
            throw new HoconException(include.Origin, null, $"include \"{include.File}\" is not allowed here: this text must be self-contained");
        }
        foreach (var name in HoconIncludeFiles.Find(context.Directory, include))
        {
            IncludeFile(container, prefix, include.Origin, name, context);
        }
    }

    private void IncludeFile(HoconObject container, HoconPath prefix, HoconOrigin origin, string name, IncludeContext context)
    {
        var full = Path.GetFullPath(Path.Combine(context.Directory, name));
        var display = Path.IsPathRooted(name) ? name : Path.Combine(context.DisplayDirectory, name);
        if (context.Stack.Contains(full))
        {
            var chain = string.Join(" -> ", context.Stack.Select(Path.GetFileName).Append(Path.GetFileName(full)));
            throw new HoconException(origin, null, $"include cycle: {chain}");
        }
        var syntax = HoconParser.Parse(HoconLayer.ReadFile(full, display, origin), display);
        var inner = new IncludeContext(Path.GetDirectoryName(full)!, Path.GetDirectoryName(display) ?? "", [.. context.Stack, full], context.IncludesAllowed);
        Fill(container, prefix, syntax, inner);
    }
}
