namespace Swarm.Tasks;

/// <summary>
/// The terms of a data-vector task (<c>task.kind = data-vectors</c>, docs/data-vectors.md): instead of rounds, every
/// site fine-tunes the pre-trained model pinned by <paramref name="Pretrained"/> (the SHA-256 of its parameter file,
/// little-endian float32) for the spec's <c>local-epochs</c> with its optimizer, publishes τ = θ_site − θ_pre, and
/// the chain merges the vectors under <paramref name="MergeRule"/> (sum, mean, sample-weighted, validated) once
/// <paramref name="VectorsPerMerge"/> new vectors have arrived. <paramref name="LambdaSteps"/> is the size of the
/// validated rule's λ grid (0: 3n). <see cref="Schedule"/> gives each site its publication times, measured from the
/// start of the task on that site (a site not named publishes once, at once); every further time fine-tunes on
/// from the site's last model and publishes again, replacing the site's earlier vector.
/// </summary>
public sealed record DataVectorSpec(string Pretrained, string MergeRule = "sample-weighted", int VectorsPerMerge = 1, int LambdaSteps = 0)
{
    public const string Kind = "data-vectors";

    /// <summary>Most publication times one site may be given.</summary>
    public const int PublicationsMax = 64;

    /// <summary>Site id → publication times after the task started there, ascending.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TimeSpan>> Schedule { get; init; } = new Dictionary<string, IReadOnlyList<TimeSpan>>();

    /// <summary>When <paramref name="site"/> publishes: its schedule, or once at the start.</summary>
    public IReadOnlyList<TimeSpan> PublicationsOf(string site) =>
        Schedule.TryGetValue(site, out var times) && times.Count > 0 ? times : [TimeSpan.Zero];

    public bool Equals(DataVectorSpec? other) =>
        other is not null && Pretrained == other.Pretrained && MergeRule == other.MergeRule && VectorsPerMerge == other.VectorsPerMerge
        && LambdaSteps == other.LambdaSteps && Schedule.Count == other.Schedule.Count
        && Schedule.All(s => other.Schedule.TryGetValue(s.Key, out var t) && t.SequenceEqual(s.Value));

    public override int GetHashCode() => HashCode.Combine(Pretrained, MergeRule, VectorsPerMerge, LambdaSteps, Schedule.Count);
}
