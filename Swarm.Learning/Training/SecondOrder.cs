using TorchSharp;

namespace Swarm.Learning.Training;

/// <summary>Second-order derivatives through LibTorch's autograd: the gradient, with respect to the input, of a
/// loss built from a parameter gradient (double backward). Gradient inversion (DLG, Zhu et al. 2019; iDLG, Zhao
/// et al. 2020) minimises ‖∇θ L(x) − ∇θ L(x_true)‖² over x this way.</summary>
public static class SecondOrder
{
    /// <summary>Returns ‖∇θ loss(x) − target‖² and its gradient with respect to <paramref name="input"/> (which must
    /// require gradients). <paramref name="target"/> is the flat concatenation of the parameters' gradients; with a
    /// <paramref name="mask"/> (1 where the target is known, 0 elsewhere, e.g. the coordinates a top-θ update
    /// shared) only the known coordinates count.</summary>
    public static (double Loss, float[] InputGradient) MatchGradient(Func<torch.Tensor, torch.Tensor> loss,
        torch.Tensor input, IReadOnlyList<torch.Tensor> parameters, torch.Tensor target, torch.Tensor? mask = null)
    {
        using var scope = torch.NewDisposeScope();
        // The first pass keeps its graph (retain_graph) because the second differentiates through it. TorchSharp's
        // autograd.grad does not turn a LibTorch error into an exception (the process ends), so both calls must
        // be valid by construction.
        var grads = torch.autograd.grad([loss(input)], parameters.ToList(), retain_graph: true, create_graph: true);
        var flat = torch.cat(grads.Select(g => g.flatten()).ToList());
        var difference = flat - target.to_type(flat.dtype);
        if (mask is not null)
        {
            difference = difference * mask.to_type(flat.dtype);
        }
        var match = difference.Squared().sum();
        var inputGradient = torch.autograd.grad([match], [input])[0];
        var result = new float[inputGradient.numel()];
        TensorSpans.CopyTo(inputGradient.to_type(torch.float32), result);
        return (match.to_type(torch.float64).item<double>(), result);
    }

    /// <summary>Copies gradients, one after another, into <paramref name="destination"/>.</summary>
    internal static void Flatten(IEnumerable<torch.Tensor> gradients, Span<float> destination)
    {
        var offset = 0;
        foreach (var gradient in gradients)
        {
            var length = (int)gradient.numel();
            TensorSpans.CopyTo(gradient, destination.Slice(offset, length));
            offset += length;
        }
    }
}
