namespace Swarm.Tasks.CrossChain;

/// <summary>What an export grant lets out of its chain: to which importing chain (its full chain id, or
/// <see cref="AnyChain"/>), which model (a model hash the chain finalized, or <see cref="AnyModel"/>: every model it
/// finalizes), and which layers (parameter-name prefixes; <see cref="AllLayers"/> for the whole model).</summary>
public sealed record ExportScope(string ImporterChainId, string ModelHash, IReadOnlyList<string> Layers)
{
    public const string AnyChain = "*";
    public const string AnyModel = "*";
    public const string AllLayers = "*";

    public bool CoversChain(string importerChainId) => ImporterChainId == AnyChain || ImporterChainId == importerChainId;

    public bool CoversModel(string modelHash) => ModelHash == AnyModel || ModelHash == modelHash;

    /// <summary>The requested layers that this scope does not allow (empty when all are allowed). A requested layer
    /// is allowed when it starts with one of the granted prefixes.</summary>
    public IReadOnlyList<string> LayersOutside(IReadOnlyList<string> requested) =>
        Layers.Contains(AllLayers) ? [] : [.. requested.Where(r => !Layers.Any(p => r.StartsWith(p, StringComparison.Ordinal)))];

    public string Describe() =>
        $"chain {ImporterChainId}, model {(ModelHash == AnyModel ? "any" : ModelHash[..Math.Min(12, ModelHash.Length)])}, layers [{string.Join(", ", Layers)}]";

    public bool SameAs(ExportScope other) =>
        ImporterChainId == other.ImporterChainId && ModelHash == other.ModelHash && Layers.SequenceEqual(other.Layers);
}
