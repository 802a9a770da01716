namespace Swarm.Learning.DataVectors;

/// <summary>The names of <see cref="MergeRule"/> in specs, commands and reports.</summary>
public static class MergeRules
{
    public static IReadOnlyList<string> Names { get; } = ["sum", "mean", "sample-weighted", "validated"];

    public static string Name(this MergeRule rule) => Names[(int)rule];

    /// <summary>The rule named <paramref name="name"/>, or null (the caller names the key and the choices).</summary>
    public static MergeRule? Parse(string name)
    {
        var index = Names.ToList().IndexOf(name);
        return index < 0 ? null : (MergeRule)index;
    }
}
