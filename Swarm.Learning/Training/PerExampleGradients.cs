using Swarm.Learning.Training.Zoo;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch.nn.functional;

namespace Swarm.Learning.Training;

/// <summary>Per-example gradient norms and the clipped gradient sum of DP-SGD for a DP-capable zoo network, from one
/// batched forward and one backward to the layer outputs, the way Opacus forms them from each layer's input
/// activation and output gradient (Yousefpour et al. 2021). With a summed loss, row i of a layer's output gradient
/// is the gradient of example i's own loss, because no layer of a DP-capable network mixes examples. Each layer's
/// weight gradient is linear in its output gradient, so Σ_i f_i ∇θ loss_i is formed layer by layer from the same
/// pieces, with no second backward pass. Convolutions choose per layer between materialising each example's weight
/// gradient and the "ghost" norm computed from the Gram matrices of the unfolded input and the output gradient,
/// whichever costs fewer multiplications (Bu et al. 2022, mixed ghost clipping; Li et al. 2022 for the ghost
/// norm).</summary>
internal static class PerExampleGradients
{
    /// <summary>Per-example intermediate tensors are formed for at most this many floats at a time (128 MiB).</summary>
    private const long ChunkFloatsMax = 1L << 25;

    /// <summary>Each example's squared gradient norm over all trainable parameters, shape [n].</summary>
    public static torch.Tensor SquaredNorms(TorchNetwork network, ActivationTape tape, torch.Tensor summedLoss,
        long examples) => Total(Layers(network, tape, summedLoss, examples), examples);

    /// <summary>DP-SGD's clipped sum Σ_i f_i ∇θ loss_i with f_i = min(1, C / (‖∇θ loss_i‖ + 1e-6)) (Opacus' factor),
    /// one tensor per trainable parameter in <see cref="TorchNetwork.Trainable"/> order.</summary>
    public static IReadOnlyList<torch.Tensor> ClippedSum(TorchNetwork network, ActivationTape tape,
        torch.Tensor summedLoss, long examples, double clipNorm)
    {
        var layers = Layers(network, tape, summedLoss, examples);
        using var noGrad = torch.no_grad();
        using var clip = HeldScalars.Of(clipNorm);
        using var guard = HeldScalars.Of(1e-6);
        var factor = Total(layers, examples).sqrt().add_(guard, HeldScalars.One).reciprocal_().mul_(clip)
            .clamp_max(HeldScalars.One);
        var sums = new Dictionary<IntPtr, torch.Tensor>();
        foreach (var layer in layers)
        {
            foreach (var (parameter, sum) in layer.Sum(factor))
            {
                sums[parameter.Handle] = sum;
            }
        }
        return network.Trainable.Select(p => sums[p.Handle]).ToList();
    }

    /// <summary>One taped layer's per-example squared norms [n] and the function that, given the clip factors [n],
    /// gives the clipped sum of each of the layer's parameters.</summary>
    private sealed record Layer(torch.Tensor SquaredNorms,
        Func<torch.Tensor, IEnumerable<(Parameter Parameter, torch.Tensor Sum)>> Sum);

    private static torch.Tensor Total(IReadOnlyList<Layer> layers, long examples)
    {
        var norms = torch.zeros(examples);
        foreach (var layer in layers)
        {
            norms.PlusInPlace(layer.SquaredNorms);
        }
        return norms;
    }

    private static List<Layer> Layers(TorchNetwork network, ActivationTape tape, torch.Tensor summedLoss, long examples)
    {
        CheckCoverage(network, tape);
        var ghost = tape.Entries.Select(e => e.Kind == LayerKind.Conv2d && UseGhost((TapedConv2d)e.Layer, e.Input, e.Output))
            .ToList();
        var outputs = tape.Entries.Select(e => e.Output).ToList();
        // The graph is kept only when a ghost-norm convolution forms its clipped sum through its own backward node.
        var backprops = torch.autograd.grad([summedLoss], outputs, retain_graph: ghost.Contains(true));
        using var noGrad = torch.no_grad();
        var layers = new List<Layer>(tape.Entries.Count);
        for (var i = 0; i < tape.Entries.Count; i++)
        {
            var entry = tape.Entries[i];
            var input = entry.Input.detach();
            layers.Add(entry.Kind switch
            {
                LayerKind.Linear => Linear((TapedLinear)entry.Layer, input, backprops[i]),
                LayerKind.Conv2d when ghost[i] => GhostConv((TapedConv2d)entry.Layer, input, entry.Output, backprops[i]),
                LayerKind.Conv2d => MaterialisedConv((TapedConv2d)entry.Layer, input, backprops[i], examples),
                _ => GroupNorm((TapedGroupNorm)entry.Layer, input, backprops[i]),
            });
        }
        return layers;
    }

    /// <summary>grad_W_i = g_i a_iᵀ has rank one, so |grad_W_i|² = |g_i|² |a_i|²; the bias gradient is g_i. The
    /// clipped sums are Σ f_i g_i a_iᵀ = (f ⊙ g)ᵀ a, one matrix product, and Σ f_i g_i.</summary>
    private static Layer Linear(TapedLinear linear, torch.Tensor input, torch.Tensor backprop) => new(
        backprop.Squared().sum(1) * input.Squared().sum(1).add_(HeldScalars.One, HeldScalars.One),
        factor =>
        {
            var scaled = backprop * factor.unsqueeze(1);
            return [(linear.Weight, scaled.t().mm(input)), (linear.Bias, scaled.sum(dim: 0))];
        });

    /// <summary>With U_i = unfold(a_i) [K × L] and G_i [Cout × L], grad_W_i = G_i U_iᵀ. Materialised it costs
    /// Cout·K·L per example (and keeps n·Cout·K floats); the ghost norm ⟨U_iᵀU_i, G_iᵀG_i⟩ costs L²·(K + Cout).</summary>
    private static bool UseGhost(TapedConv2d conv, torch.Tensor input, torch.Tensor output)
    {
        var cout = output.shape[1];
        var l = output.shape[2] * output.shape[3];
        var k = input.shape[1] * conv.Kernel * conv.Kernel;
        return l * (k + cout) < cout * k || input.shape[0] * cout * k > ChunkFloatsMax;
    }

    /// <summary>Every example's weight gradient at once, as one grouped convolution (Rochette et al. 2019): with
    /// the batch as channels, example i's input convolved with its own output gradient as the kernel (dilated by the
    /// stride) gives grad_W_i[o, c, ·, ·] = Σ over positions of g_i[o] times the shifted, padded a_i[c]. The clipped
    /// sum Σ f_i grad_W_i reuses them; the bias gradient of example i is g_i summed over positions.</summary>
    private static Layer MaterialisedConv(TapedConv2d conv, torch.Tensor input, torch.Tensor backprop, long n)
    {
        var cin = input.shape[1];
        var cout = backprop.shape[1];
        var k = conv.Kernel;
        var kernels = backprop.reshape(n * cout, 1, backprop.shape[2], backprop.shape[3]);
        var full = conv2d(input.transpose(0, 1), kernels, null, new[] { 1L, 1L }, new[] { conv.Padding, conv.Padding },
            new[] { conv.Stride, conv.Stride }, n);
        // [Cin, n, Cout, k', k'] with k' ≥ k (more when the stride does not divide the padded size): keep k × k.
        var perExample = full.view(cin, n, cout, full.shape[2], full.shape[3]).narrow(3, 0, k).narrow(4, 0, k);
        var norms = perExample.Squared().sum(new long[] { 0, 2, 3, 4 });
        var biasPerExample = conv.Bias is null ? null : backprop.sum(new long[] { 2, 3 });
        if (biasPerExample is not null)
        {
            norms.PlusInPlace(biasPerExample.Squared().sum(1));
        }
        return new Layer(norms, factor =>
        {
            var weight = (perExample * factor.view(1, n, 1, 1, 1)).sum(1).transpose(0, 1).contiguous();
            return biasPerExample is null
                ? [(conv.Weight, weight)]
                : [(conv.Weight, weight), (conv.Bias!, (biasPerExample * factor.unsqueeze(1)).sum(dim: 0))];
        });
    }

    /// <summary>The ghost norm, in chunks of examples; the clipped sum runs the layer's own backward node once (only
    /// that node: the parameters are its direct inputs) with the output gradient scaled per example.</summary>
    private static Layer GhostConv(TapedConv2d conv, torch.Tensor input, torch.Tensor output, torch.Tensor backprop)
    {
        var n = input.shape[0];
        var gm = backprop.flatten(2);
        var l = gm.shape[2];
        var k = input.shape[1] * conv.Kernel * conv.Kernel;
        var chunk = Math.Max(1, ChunkFloatsMax / Math.Max(k * l, l * l));
        var norms = torch.empty(n);
        for (long start = 0; start < n; start += chunk)
        {
            var end = Math.Min(n, start + chunk);
            using var scope = torch.NewDisposeScope();
            var cols = unfold(input.slice(0, start, end, 1), conv.Kernel, 1, conv.Padding, conv.Stride);
            var g = gm.slice(0, start, end, 1);
            norms.slice(0, start, end, 1).copy_((cols.transpose(1, 2).bmm(cols) * g.transpose(1, 2).bmm(g)).sum([1, 2]));
        }
        if (conv.Bias is not null)
        {
            norms.PlusInPlace(gm.sum(2).Squared().sum(1));
        }
        return new Layer(norms, factor =>
        {
            var parameters = conv.Bias is null ? new[] { conv.Weight } : new[] { conv.Weight, conv.Bias };
            var sums = torch.autograd.grad([output], parameters.Cast<torch.Tensor>().ToList(),
                [backprop * factor.view(-1, 1, 1, 1)], retain_graph: true);
            return parameters.Zip(sums);
        });
    }

    /// <summary>y = x̂·γ + β per channel, so grad_γ_i = Σ over positions of x̂_i ⊙ g_i and grad_β_i = Σ g_i.</summary>
    private static Layer GroupNorm(TapedGroupNorm norm, torch.Tensor input, torch.Tensor backprop)
    {
        var normalized = group_norm(input, norm.Groups, null, null, TapedGroupNorm.Epsilon);
        var weight = (normalized * backprop).sum(new long[] { 2, 3 });
        var bias = backprop.sum(new long[] { 2, 3 });
        return new Layer(weight.Squared().sum(1).Plus(bias.Squared().sum(1)), factor =>
        {
            var f = factor.unsqueeze(1);
            return [(norm.Weight, (weight * f).sum(dim: 0)), (norm.Bias, (bias * f).sum(dim: 0))];
        });
    }

    /// <summary>Every trainable parameter must belong to exactly one recorded layer applied exactly once, or its
    /// per-example gradient is not what the formulas above compute.</summary>
    private static void CheckCoverage(TorchNetwork network, ActivationTape tape)
    {
        var layers = tape.Entries.Select(e => e.Layer).ToList();
        if (layers.Distinct().Count() != layers.Count)
        {
            throw new PrivacyUnsupportedException("DP-SGD: a layer is applied more than once in one forward pass");
        }
        var covered = layers.SelectMany(l => l.parameters(recurse: false)).Select(p => p.Handle).ToHashSet();
        if (network.Trainable.Any(p => !covered.Contains(p.Handle)) || covered.Count != network.Trainable.Count)
        {
            throw new PrivacyUnsupportedException("DP-SGD: a trainable parameter is not used by a Linear, Conv2d or " +
                                                  "GroupNorm layer, so its per-example gradient is unknown");
        }
    }
}
