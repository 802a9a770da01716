using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace Swarm.Learning.Training.Zoo;

/// <summary>ResNet's basic block (He et al. 2016): two 3×3 convolutions with normalisation, and a 1×1 projection
/// shortcut when the shape changes.</summary>
internal sealed class BasicBlock : torch.nn.Module<torch.Tensor, torch.Tensor>
{
    private readonly TapedConv2d _conv1;
    private readonly Norm _norm1;
    private readonly TapedConv2d _conv2;
    private readonly Norm _norm2;
    private readonly TapedConv2d? _shortcutConv;
    private readonly Norm? _shortcutNorm;

    public BasicBlock(long inPlanes, long planes, long stride, bool groupNorm)
        : base(nameof(BasicBlock))
    {
        _conv1 = new TapedConv2d(inPlanes, planes, 3, stride, 1, withBias: false);
        _norm1 = new Norm(planes, groupNorm);
        _conv2 = new TapedConv2d(planes, planes, 3, 1, 1, withBias: false);
        _norm2 = new Norm(planes, groupNorm);
        register_module("conv1", _conv1);
        register_module("norm1", _norm1);
        register_module("conv2", _conv2);
        register_module("norm2", _norm2);
        if (stride != 1 || inPlanes != planes)
        {
            _shortcutConv = new TapedConv2d(inPlanes, planes, 1, stride, 0, withBias: false);
            _shortcutNorm = new Norm(planes, groupNorm);
            register_module("shortcut_conv", _shortcutConv);
            register_module("shortcut_norm", _shortcutNorm);
        }
    }

    public override torch.Tensor forward(torch.Tensor input) => Forward(input, null);

    public torch.Tensor Forward(torch.Tensor input, ActivationTape? tape)
    {
        var output = relu(_norm1.Forward(_conv1.Forward(input, tape), tape));
        output = _norm2.Forward(_conv2.Forward(output, tape), tape);
        var skip = _shortcutConv is null ? input : _shortcutNorm!.Forward(_shortcutConv.Forward(input, tape), tape);
        return relu(output.Plus(skip));
    }
}
