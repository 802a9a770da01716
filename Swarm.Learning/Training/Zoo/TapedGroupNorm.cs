using TorchSharp;
using TorchSharp.Modules;

namespace Swarm.Learning.Training.Zoo;

/// <summary>GroupNorm with a per-channel affine transform, recordable on an <see cref="ActivationTape"/>. Unlike
/// BatchNorm it normalises each example on its own, so per-example gradients exist (Wu and He 2018).</summary>
internal sealed class TapedGroupNorm : torch.nn.Module<torch.Tensor, torch.Tensor>
{
    public const double Epsilon = 1e-5;

    public TapedGroupNorm(long groups, long channels)
        : base(nameof(TapedGroupNorm))
    {
        Groups = groups;
        Weight = new Parameter(torch.ones(channels));
        Bias = new Parameter(torch.zeros(channels));
        register_parameter("weight", Weight);
        register_parameter("bias", Bias);
    }

    public long Groups { get; }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public override torch.Tensor forward(torch.Tensor input) => Forward(input, null);

    public torch.Tensor Forward(torch.Tensor input, ActivationTape? tape) =>
        ActivationTape.Record(tape, LayerKind.GroupNorm, this, input,
            torch.nn.functional.group_norm(input, Groups, Weight, Bias, Epsilon));
}
