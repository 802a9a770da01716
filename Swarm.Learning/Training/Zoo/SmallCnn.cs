using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace Swarm.Learning.Training.Zoo;

/// <summary>conv3×3 32 → ReLU → max-pool → conv3×3 64 → ReLU → max-pool → fc 128 → ReLU → fc classes.</summary>
internal sealed class SmallCnn : ZooModel
{
    private readonly TapedConv2d _conv1;
    private readonly TapedConv2d _conv2;
    private readonly TapedLinear _fc1;
    private readonly TapedLinear _fc2;

    public SmallCnn(long inChannels, long classes, long imageSize)
        : base(nameof(SmallCnn))
    {
        if (imageSize % 4 != 0)
        {
            throw new ArgumentException("smallcnn needs an image size divisible by 4");
        }
        var side = imageSize / 4;
        _conv1 = new TapedConv2d(inChannels, 32, 3, 1, 1, withBias: true);
        _conv2 = new TapedConv2d(32, 64, 3, 1, 1, withBias: true);
        _fc1 = new TapedLinear(64 * side * side, 128);
        _fc2 = new TapedLinear(128, classes);
        register_module("conv1", _conv1);
        register_module("conv2", _conv2);
        register_module("fc1", _fc1);
        register_module("fc2", _fc2);
    }

    public override bool DpCapable => true;

    public override torch.Tensor Forward(torch.Tensor input, ActivationTape? tape)
    {
        var h = max_pool2d(relu(_conv1.Forward(input, tape)), 2);
        h = max_pool2d(relu(_conv2.Forward(h, tape)), 2);
        h = relu(_fc1.Forward(h.flatten(1), tape));
        return _fc2.Forward(h, tape);
    }
}
