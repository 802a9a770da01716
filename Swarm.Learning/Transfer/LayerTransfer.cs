using Swarm.Learning.Training;

namespace Swarm.Learning.Transfer;

/// <summary>
/// Which layout entries of a target model take values from an auxiliary model: the entries whose names start with
/// one of the chosen prefixes, matched by name, each of the same shape in both. The default choice is the feature
/// extractor, every entry except those of the last module (the classifier, whose label space the auxiliary task
/// does not share). A mismatch is explained (which entry, which shapes, what to do) rather than copied partly.
/// </summary>
public sealed record LayerTransfer(IReadOnlyList<int> TargetEntries, IReadOnlyList<int> SourceEntries, IReadOnlyList<string> Names)
{
    /// <summary>The module name of an entry ("fc2" of "fc2.weight").</summary>
    public static string ModuleOf(string entry) => entry.Contains('.') ? entry[..entry.LastIndexOf('.')] : entry;

    /// <summary>The feature extractor of a layout: every entry outside its last module.</summary>
    public static IReadOnlyList<string> FeatureExtractor(ParameterLayout layout)
    {
        var last = ModuleOf(layout.Entries.Where(e => e.Trainable).Last().Name);
        return [.. layout.Entries.Where(e => ModuleOf(e.Name) != last).Select(e => e.Name)];
    }

    /// <summary>The plan for <paramref name="layers"/> (name prefixes; null or empty: the feature extractor), or the
    /// reason it cannot be made.</summary>
    public static LayerTransfer? Plan(ParameterLayout target, ParameterLayout source, IReadOnlyList<string>? layers, out string problem)
    {
        var chosen = layers is { Count: > 0 } ? layers : FeatureExtractor(target);
        var targets = new List<int>();
        var sources = new List<int>();
        var names = new List<string>();
        for (var i = 0; i < target.Entries.Count; i++)
        {
            var entry = target.Entries[i];
            if (!chosen.Any(p => entry.Name.StartsWith(p, StringComparison.Ordinal)))
            {
                continue;
            }
            var j = IndexOf(source, entry.Name);
            if (j < 0)
            {
                problem = $"the auxiliary model has no layer '{entry.Name}': transfer needs the same architecture for the chosen layers";
                return null;
            }
            var from = source.Entries[j];
            if (!from.Shape.SequenceEqual(entry.Shape))
            {
                problem = $"layer '{entry.Name}' is [{string.Join("×", from.Shape)}] in the auxiliary model and [{string.Join("×", entry.Shape)}] " +
                    "here: " + Hint(entry, from);
                return null;
            }
            targets.Add(i);
            sources.Add(j);
            names.Add(entry.Name);
        }
        if (targets.Count == 0)
        {
            problem = $"no layer of the model matches [{string.Join(", ", chosen)}]; its layers are " +
                $"[{string.Join(", ", target.Entries.Select(e => e.Name))}]";
            return null;
        }
        problem = "";
        return new LayerTransfer(targets, sources, names);
    }

    /// <summary>The chosen layers' values from the auxiliary model's full parameter vector, packed in plan order.</summary>
    public float[] Extract(ParameterLayout source, ReadOnlySpan<float> sourceParameters)
    {
        var packed = new float[SourceEntries.Sum(j => source.Entries[j].Length)];
        var at = 0;
        foreach (var j in SourceEntries)
        {
            var entry = source.Entries[j];
            sourceParameters.Slice((int)entry.Offset, (int)entry.Length).CopyTo(packed.AsSpan(at));
            at += (int)entry.Length;
        }
        return packed;
    }

    /// <summary>Initializes the chosen layers of <paramref name="target"/> from the auxiliary parameters.</summary>
    public void Initialize(ITrainer target, ParameterLayout source, ReadOnlySpan<float> sourceParameters) =>
        target.SetParameters([.. TargetEntries], Extract(source, sourceParameters));

    private static int IndexOf(ParameterLayout layout, string name)
    {
        for (var i = 0; i < layout.Entries.Count; i++)
        {
            if (layout.Entries[i].Name == name)
            {
                return i;
            }
        }
        return -1;
    }

    private static string Hint(ParameterEntry here, ParameterEntry there) =>
        here.Shape.Count == 4 && there.Shape.Count == 4 && here.Shape[0] == there.Shape[0] && here.Shape[1] != there.Shape[1]
            ? $"the input channels differ ({there.Shape[1]} against {here.Shape[1]}); leave this layer out of the transfer or adapt it " +
              "(a 1-channel filter repeated over 3 channels, see ChannelAdaptation)"
            : here.Shape.Count >= 1 && there.Shape.Count >= 1 && here.Shape[0] != there.Shape[0]
                ? "the output sizes differ (a classifier over another label count?); leave this layer out of the transfer"
                : "leave this layer out of the transfer";
}
