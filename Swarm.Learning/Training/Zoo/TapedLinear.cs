using TorchSharp;
using TorchSharp.Modules;

namespace Swarm.Learning.Training.Zoo;

/// <summary>A fully connected layer whose forward can be recorded on an <see cref="ActivationTape"/>.</summary>
internal sealed class TapedLinear : torch.nn.Module<torch.Tensor, torch.Tensor>
{
    public TapedLinear(long inFeatures, long outFeatures)
        : base(nameof(TapedLinear))
    {
        Weight = new Parameter(torch.empty(outFeatures, inFeatures));
        Bias = new Parameter(torch.empty(outFeatures));
        register_parameter("weight", Weight);
        register_parameter("bias", Bias);
        DefaultInit.Apply(Weight, Bias, inFeatures);
    }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public override torch.Tensor forward(torch.Tensor input) => Forward(input, null);

    public torch.Tensor Forward(torch.Tensor input, ActivationTape? tape) =>
        ActivationTape.Record(tape, LayerKind.Linear, this, input, torch.nn.functional.linear(input, Weight, Bias));
}
