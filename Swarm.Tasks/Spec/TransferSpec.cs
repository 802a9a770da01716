namespace Swarm.Tasks;

/// <summary>
/// A task's import of a model that another task's chain finalized (docs/cross-chain.md): the source chain
/// (<paramref name="Source"/>, its chain id, and <paramref name="Genesis"/>, the SHA-256 of its genesis, so that a
/// proof built on any other genesis is refused), the export grant the source chain committed for it
/// (<paramref name="Grant"/>), which model (<paramref name="Model"/>: <see cref="FinalModel"/> for the last round the
/// source finalized, or a model hash), and how it is used: <paramref name="Mode"/> <see cref="InitMode"/> (round 1
/// starts with <paramref name="Layers"/> taken from it) or <see cref="RegularizeMode"/> (the same start, and every
/// local step adds λ‖w − w_aux‖² over those layers, <paramref name="Lambda"/> being λ). <paramref name="Layers"/> are
/// parameter-name prefixes; empty means the feature extractor (every layer but the classifier).
/// <paramref name="AdaptChannels"/>: a 1-channel source's first convolution is repeated over this task's input
/// channels (ChannelAdaptation) instead of being refused as a shape mismatch.
/// </summary>
public sealed record TransferSpec(string Source, string Genesis, string Grant, string Model = TransferSpec.FinalModel,
    string Mode = TransferSpec.InitMode, IReadOnlyList<string>? Layers = null, double Lambda = 1e-3, bool AdaptChannels = false)
{
    public const string FinalModel = "final";
    public const string InitMode = "init";
    public const string RegularizeMode = "regularize";

    /// <summary>The modes, in the order of their byte in the canonical encoding.</summary>
    public static IReadOnlyList<string> Modes { get; } = [InitMode, RegularizeMode];

    /// <summary>The largest λ accepted: beyond it the penalty pins the layers and the task learns nothing, so it is a typo.</summary>
    public const double LambdaMax = 1_000;

    /// <summary>The task id inside a task chain id <c>task/&lt;id&gt;/&lt;digest&gt;</c>; null when it is not one.</summary>
    public static string? TaskIdOf(string chainId)
    {
        var parts = chainId.Split('/');
        return parts.Length == 3 && parts[0] == "task" && TaskSpecValidator.IsValidId(parts[1]) && parts[2].Length == 16
            && parts[2].All(char.IsAsciiHexDigitLower) ? parts[1] : null;
    }

    /// <summary>The problems of a transfer section, each naming the key and the fix.</summary>
    public static void Check(TransferSpec transfer, TaskSpec spec, Action<bool, string> check)
    {
        check(TaskIdOf(transfer.Source) is not null,
            $"task.transfer.source '{transfer.Source}' is not a task chain id (task/<task id>/<16 hex digits>, as swarm task export-grant prints it)");
        check(TaskIdOf(transfer.Source) != spec.Id, $"task.transfer.source names this task's own id '{spec.Id}': a task cannot import from itself");
        check(IsHash(transfer.Genesis), $"task.transfer.genesis '{transfer.Genesis}' must be the source chain's genesis hash (64 lower-case hex digits, as swarm task export-grant prints it)");
        check(transfer.Grant.Length is > 0 and <= 128, "task.transfer.grant must name the source chain's export grant (1-128 characters)");
        check(transfer.Model == FinalModel || IsHash(transfer.Model), $"task.transfer.model '{transfer.Model}' must be final or a model hash (64 lower-case hex digits)");
        check(Modes.Contains(transfer.Mode), $"task.transfer.mode '{transfer.Mode}' must be {string.Join(" or ", Modes)}");
        check(transfer.Layers is null || transfer.Layers.All(l => l.Length > 0), "task.transfer.layers has an empty name (write parameter-name prefixes such as conv1, fc1)");
        check(transfer.Layers is null || transfer.Layers.Count <= 256, "task.transfer.layers names more than 256 layers");
        check(transfer.Lambda is > 0 and <= LambdaMax, $"task.transfer.lambda {transfer.Lambda} must be in (0, {LambdaMax}]");
        check(transfer.Mode != RegularizeMode || !spec.Privacy.DifferentialPrivacy,
            "task.transfer.mode = regularize cannot run with DP-SGD (the penalty's gradient is outside the per-example clipping); use mode = init");
    }

    private static bool IsHash(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigitLower);
}
