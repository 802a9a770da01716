using TorchSharp;
using TorchSharp.Modules;

namespace Swarm.Learning.Training.Zoo;

/// <summary>A square-kernel convolution whose forward can be recorded on an <see cref="ActivationTape"/>.</summary>
internal sealed class TapedConv2d : torch.nn.Module<torch.Tensor, torch.Tensor>
{
    public TapedConv2d(long inChannels, long outChannels, long kernel, long stride, long padding, bool withBias)
        : base(nameof(TapedConv2d))
    {
        Kernel = kernel;
        Stride = stride;
        Padding = padding;
        Weight = new Parameter(torch.empty(outChannels, inChannels, kernel, kernel));
        register_parameter("weight", Weight);
        if (withBias)
        {
            Bias = new Parameter(torch.empty(outChannels));
            register_parameter("bias", Bias);
        }
        DefaultInit.Apply(Weight, Bias, inChannels * kernel * kernel);
    }

    public Parameter Weight { get; }

    public Parameter? Bias { get; }

    public long Kernel { get; }

    public long Stride { get; }

    public long Padding { get; }

    public override torch.Tensor forward(torch.Tensor input) => Forward(input, null);

    public torch.Tensor Forward(torch.Tensor input, ActivationTape? tape) =>
        ActivationTape.Record(tape, LayerKind.Conv2d, this, input,
            torch.nn.functional.conv2d(input, Weight, Bias, [Stride, Stride], [Padding, Padding]));
}
