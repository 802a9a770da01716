using Swarm.Learning.Training.Zoo;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace Swarm.Learning.Training;

/// <summary>Per-example gradient norms of a DP-capable zoo network from one batched forward and one backward to
/// the layer outputs, the way Opacus forms them from each layer's input activation and output gradient
/// (Yousefpour et al. 2021). With a summed loss, row i of a layer's output gradient is the gradient of example
/// i's own loss, because no layer of a DP-capable network mixes examples. Convolutions choose per layer between
/// materialising each example's weight gradient and the "ghost" norm computed from the Gram matrices of the
/// unfolded input and the output gradient, whichever costs fewer multiplications (Bu et al. 2022, mixed ghost
/// clipping; Li et al. 2022 for the ghost norm).</summary>
internal static class PerExampleGradients
{
    /// <summary>Per-example intermediate tensors are formed for at most this many floats at a time (128 MiB).</summary>
    private const long ChunkFloatsMax = 1L << 25;

    /// <summary>Each example's squared gradient norm over all trainable parameters, shape [n].</summary>
    public static torch.Tensor SquaredNorms(TorchNetwork network, ActivationTape tape, torch.Tensor summedLoss,
        long examples)
    {
        CheckCoverage(network, tape);
        var outputs = tape.Entries.Select(e => e.Output).ToList();
        var backprops = torch.autograd.grad([summedLoss], outputs, retain_graph: true);
        using var noGrad = torch.no_grad();
        var norms = torch.zeros(examples);
        for (var i = 0; i < tape.Entries.Count; i++)
        {
            var entry = tape.Entries[i];
            var input = entry.Input.detach();
            var layerNorms = entry.Kind switch
            {
                LayerKind.Linear => LinearNorms(input, backprops[i]),
                LayerKind.Conv2d => ConvNorms((TapedConv2d)entry.Layer, input, backprops[i]),
                _ => GroupNormNorms((TapedGroupNorm)entry.Layer, input, backprops[i]),
            };
            norms.add_(layerNorms);
        }
        return norms;
    }

    /// <summary>grad_W_i = g_i a_iᵀ has rank one, so |grad_W_i|² = |g_i|² |a_i|²; the bias gradient is g_i.</summary>
    private static torch.Tensor LinearNorms(torch.Tensor input, torch.Tensor backprop) =>
        backprop.pow(2).sum(1) * (input.pow(2).sum(1) + 1.0);

    /// <summary>With U_i = unfold(a_i) [K × L] and G_i [Cout × L], grad_W_i = G_i U_iᵀ. Materialised it costs
    /// Cout·K·L per example; the ghost norm ⟨U_iᵀU_i, G_iᵀG_i⟩ costs L²·(K + Cout).</summary>
    private static torch.Tensor ConvNorms(TapedConv2d conv, torch.Tensor input, torch.Tensor backprop)
    {
        var n = input.shape[0];
        var gm = backprop.flatten(2);
        var cout = gm.shape[1];
        var l = gm.shape[2];
        var k = input.shape[1] * conv.Kernel * conv.Kernel;
        var ghost = l * (k + cout) < cout * k;
        var perExample = Math.Max(k * l, ghost ? l * l : cout * k);
        var chunk = Math.Max(1, ChunkFloatsMax / perExample);
        var norms = torch.empty(n);
        for (long start = 0; start < n; start += chunk)
        {
            var end = Math.Min(n, start + chunk);
            using var scope = torch.NewDisposeScope();
            var cols = unfold(input.slice(0, start, end, 1), conv.Kernel, 1, conv.Padding, conv.Stride);
            var g = gm.slice(0, start, end, 1);
            var part = ghost
                ? (cols.transpose(1, 2).bmm(cols) * g.transpose(1, 2).bmm(g)).sum([1, 2])
                : g.bmm(cols.transpose(1, 2)).pow(2).sum([1, 2]);
            norms.slice(0, start, end, 1).copy_(part);
        }
        if (conv.Bias is not null)
        {
            norms.add_(gm.sum(2).pow(2).sum(1));
        }
        return norms;
    }

    /// <summary>y = x̂·γ + β per channel, so grad_γ_i = Σ over positions of x̂_i ⊙ g_i and grad_β_i = Σ g_i.</summary>
    private static torch.Tensor GroupNormNorms(TapedGroupNorm norm, torch.Tensor input, torch.Tensor backprop)
    {
        var normalized = group_norm(input, norm.Groups, null, null, TapedGroupNorm.Epsilon);
        var weight = (normalized * backprop).sum([2, 3]);
        return weight.pow(2).sum(1) + backprop.sum([2, 3]).pow(2).sum(1);
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
