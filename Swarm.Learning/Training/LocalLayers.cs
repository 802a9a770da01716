namespace Swarm.Learning.Training;

/// <summary>Resolves FedPer personalization layers, named by prefixes of the model's parameter names, to a
/// <see cref="LocalLayerMask"/>.</summary>
public static class LocalLayers
{
    /// <summary>
    /// The mask of every entry of <paramref name="layout"/> whose name is a prefix or starts with prefix + "."
    /// (so "fc2" takes <c>fc2.weight</c> and <c>fc2.bias</c> but not <c>fc20.weight</c>); buffers of a local
    /// layer are local too.
    /// </summary>
    /// <exception cref="ArgumentException">A prefix is blank or names no parameter (the message lists the
    /// model's layers), or the prefixes cover every trainable parameter, so nothing would be shared.</exception>
    public static LocalLayerMask Mask(ParameterLayout layout, IReadOnlyList<string> prefixes)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(prefixes);
        if (prefixes.Count == 0)
        {
            return LocalLayerMask.None(layout.TotalLength);
        }
        var local = new bool[layout.Entries.Count];
        foreach (var prefix in prefixes)
        {
            if (string.IsNullOrWhiteSpace(prefix))
            {
                throw new ArgumentException("a local layer prefix is blank; name a layer such as "
                    + $"'{Layers(layout).Last()}'", nameof(prefixes));
            }
            var matched = false;
            for (var e = 0; e < local.Length; e++)
            {
                if (Matches(layout.Entries[e].Name, prefix))
                {
                    local[e] = matched = true;
                }
            }
            if (!matched)
            {
                throw new ArgumentException($"local layer prefix '{prefix}' matches no parameter of the model; its "
                    + $"layers are {string.Join(", ", Layers(layout))}", nameof(prefixes));
            }
        }
        if (layout.Entries.Where((entry, e) => entry.Trainable && !local[e]).All(entry => entry.Length == 0))
        {
            throw new ArgumentException($"local layers {string.Join(", ", prefixes)} cover every trainable "
                + "parameter of the model, so the site would share nothing; keep only the top layers local", nameof(prefixes));
        }
        var entries = Enumerable.Range(0, local.Length).Where(e => local[e]).ToArray();
        return new LocalLayerMask([.. prefixes], entries, [.. entries.Select(e => layout.Entries[e])], layout.TotalLength);
    }

    /// <summary>Whether parameter <paramref name="name"/> belongs to the layer named by <paramref name="prefix"/>.</summary>
    public static bool Matches(string name, string prefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal)
        && (name.Length == prefix.Length || name[prefix.Length] == '.' || prefix.EndsWith('.'));

    /// <summary>The model's layer names: parameter names without their last component, in layout order.</summary>
    public static IReadOnlyList<string> Layers(ParameterLayout layout) =>
        [.. layout.Entries.Select(e => e.Name.LastIndexOf('.') is var dot and > 0 ? e.Name[..dot] : e.Name).Distinct()];
}
