using TorchSharp;
using TorchSharp.Modules;

namespace Swarm.Learning.Training.Zoo;

/// <summary>BatchNorm2d (registered as <c>bn</c>) or GroupNorm with min(32, channels) groups (as <c>gn</c>),
/// chosen when the model is built.</summary>
internal sealed class Norm : torch.nn.Module<torch.Tensor, torch.Tensor>
{
    private readonly TapedGroupNorm? _group;
    private readonly BatchNorm2d? _batch;

    public Norm(long channels, bool groupNorm)
        : base(nameof(Norm))
    {
        if (groupNorm)
        {
            _group = new TapedGroupNorm(Math.Min(32, channels), channels);
            register_module("gn", _group);
        }
        else
        {
            _batch = torch.nn.BatchNorm2d(channels);
            register_module("bn", _batch);
        }
    }

    public override torch.Tensor forward(torch.Tensor input) => Forward(input, null);

    public torch.Tensor Forward(torch.Tensor input, ActivationTape? tape) =>
        _group is not null ? _group.Forward(input, tape) : BatchNorm(_batch!, input);

    /// <summary>What <see cref="BatchNorm2d"/>'s own forward computes (momentum 0.1, batch statistics while
    /// training, running statistics in evaluation), with the step counter incremented by a held scalar: TorchSharp's
    /// forward adds a temporary one that a collection can free during the call (see <see cref="HeldScalars"/>).</summary>
    private static torch.Tensor BatchNorm(BatchNorm2d norm, torch.Tensor input)
    {
        if (input.dim() != 4)
        {
            throw new ArgumentException($"BatchNorm2d expects a 4-D input, got {input.dim()}-D");
        }
        if (norm.training)
        {
            norm.num_batches_tracked!.add_(HeldScalars.One, HeldScalars.One);
        }
        return torch.nn.functional.batch_norm(input, norm.running_mean, norm.running_var, norm.weight, norm.bias,
            norm.training, norm.momentum ?? 0.1, norm.eps);
    }
}
