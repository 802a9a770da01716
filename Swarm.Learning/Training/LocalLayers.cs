namespace Swarm.Learning.Training;

/// <summary>Resolves FedPer personalization layers, named by prefixes of the model's parameter names, to a
/// <see cref="LocalLayerMask"/>.</summary>
public static class LocalLayers
{
    /// <summary>
    /// The mask of every entry of <paramref name="layout"/> whose name is a prefix or starts with prefix + "."
    /// (so "fc2" takes <c>fc2.weight</c> and <c>fc2.bias</c> but not <c>fc20.weight</c>); buffers of a local
    /// layer are local too. No prefixes: an empty mask.
    /// </summary>
    /// <exception cref="ArgumentException">The prefixes are not valid for this model (see <see cref="Problem"/>).</exception>
    public static LocalLayerMask Mask(ParameterLayout layout, IReadOnlyList<string> prefixes)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(prefixes);
        if (Problem(layout, prefixes) is { } problem)
        {
            throw new ArgumentException(problem, nameof(prefixes));
        }
        var entries = Enumerable.Range(0, layout.Entries.Count)
            .Where(e => prefixes.Any(prefix => Matches(layout.Entries[e].Name, prefix)))
            .ToArray();
        return new LocalLayerMask(entries, [.. entries.Select(e => layout.Entries[e])], layout.TotalLength);
    }

    /// <summary>
    /// Why <paramref name="prefixes"/> cannot be a model's local layers, or null when they can: a blank prefix, a
    /// prefix that names no parameter (the message lists the model's layers), or prefixes that cover every
    /// trainable parameter, so that the site would share nothing. For checking a task before consenting to it.
    /// </summary>
    public static string? Problem(ParameterLayout layout, IReadOnlyList<string> prefixes)
    {
        foreach (var prefix in prefixes)
        {
            if (string.IsNullOrWhiteSpace(prefix))
            {
                return $"a local layer prefix is blank; name a layer such as '{Layers(layout)[^1]}'";
            }
            if (!layout.Entries.Any(entry => Matches(entry.Name, prefix)))
            {
                return $"local layer prefix '{prefix}' matches no parameter of the model; its layers are "
                    + string.Join(", ", Layers(layout));
            }
        }
        var shared = layout.Entries.Where(entry => entry.Trainable && !prefixes.Any(prefix => Matches(entry.Name, prefix)));
        if (prefixes.Count > 0 && shared.All(entry => entry.Length == 0))
        {
            return $"local layers {string.Join(", ", prefixes)} cover every trainable parameter of the model, so the "
                + "site would share nothing; keep only the top layers local";
        }
        return null;
    }

    /// <summary>Whether parameter <paramref name="name"/> belongs to the layer named by <paramref name="prefix"/>.</summary>
    public static bool Matches(string name, string prefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal)
        && (name.Length == prefix.Length || name[prefix.Length] == '.' || prefix.EndsWith('.'));

    /// <summary>The model's layer names: parameter names without their last component, in layout order.</summary>
    public static IReadOnlyList<string> Layers(ParameterLayout layout) =>
        [.. layout.Entries.Select(e => e.Name.LastIndexOf('.') is var dot and > 0 ? e.Name[..dot] : e.Name).Distinct()];
}
