using Swarm.Learning.Training;
using TorchSharp;

namespace Swarm.Learning.Transfer;

/// <summary>
/// The regularizing transfer mode: λ Σ ‖w − w_aux‖² over the planned layers is added to the training loss, so the
/// chosen layers may move away from the auxiliary model only as far as the task's data pay for (L2-SP, Li, Grandvalet
/// and Davoine, ICML 2018). The anchor values are held as tensors for the trainer's lifetime; every scalar handed to
/// libtorch is held (see <see cref="HeldScalars"/>).
/// </summary>
public sealed class TransferAnchor : IDisposable
{
    private readonly torch.Tensor[] _anchors;
    private readonly Scalar _lambda;
    private readonly Scalar _minusOne = HeldScalars.Of(-1);

    public TransferAnchor(LayerTransfer plan, ParameterLayout target, ReadOnlySpan<float> packedValues, double lambda)
    {
        if (!(lambda > 0) || !double.IsFinite(lambda))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), $"the transfer penalty λ = {lambda} must be a positive number");
        }
        Plan = plan;
        Lambda = lambda;
        _lambda = HeldScalars.Of(lambda);
        _anchors = new torch.Tensor[plan.TargetEntries.Count];
        var at = 0;
        for (var k = 0; k < _anchors.Length; k++)
        {
            var entry = target.Entries[plan.TargetEntries[k]];
            _anchors[k] = torch.tensor(packedValues.Slice(at, (int)entry.Length).ToArray(), [.. entry.Shape.Select(d => (long)d)]);
            at += (int)entry.Length;
        }
    }

    public LayerTransfer Plan { get; }

    public double Lambda { get; }

    /// <summary>λ Σ ‖w − w_aux‖² over the plan's entries of <paramref name="network"/>, as a scalar tensor in the graph.</summary>
    internal torch.Tensor Penalty(TorchNetwork network)
    {
        torch.Tensor? sum = null;
        for (var k = 0; k < _anchors.Length; k++)
        {
            var term = network.Tensors[Plan.TargetEntries[k]].add(_anchors[k], _minusOne).Squared().sum();
            sum = sum is null ? term : sum.Plus(term);
        }
        return sum!.mul(_lambda);
    }

    public void Dispose()
    {
        foreach (var anchor in _anchors)
        {
            anchor.Dispose();
        }
        _lambda.Dispose();
        _minusOne.Dispose();
    }
}
