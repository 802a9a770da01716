using TorchSharp;

namespace Swarm.Learning.Training.Zoo;

/// <summary>Records the inputs and outputs of every Linear, Conv2d and GroupNorm application during one forward
/// pass, the way Opacus' forward hooks do, so that DP-SGD can form per-example gradients from them.</summary>
internal sealed class ActivationTape
{
    private readonly List<TapeEntry> _entries = [];

    public IReadOnlyList<TapeEntry> Entries => _entries;

    /// <summary>Records one application and returns its output unchanged.</summary>
    public static torch.Tensor Record(ActivationTape? tape, LayerKind kind, torch.nn.Module layer, torch.Tensor input,
        torch.Tensor output)
    {
        tape?._entries.Add(new TapeEntry(kind, layer, input, output));
        return output;
    }
}
