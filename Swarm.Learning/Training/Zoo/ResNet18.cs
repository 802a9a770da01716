using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace Swarm.Learning.Training.Zoo;

/// <summary>ResNet-18 as MedMNIST v2 trains it on 28×28 images: a 3×3 stem with stride 1 and no max-pool, basic
/// blocks [2, 2, 2, 2] with 64-128-256-512 planes, global average pool, a fully connected classifier. BatchNorm
/// (<c>resnet18</c>) or GroupNorm (<c>resnet18-gn</c>, which DP-SGD can train).</summary>
internal sealed class ResNet18 : ZooModel
{
    private readonly TapedConv2d _stem;
    private readonly Norm _stemNorm;
    private readonly List<BasicBlock> _blocks = [];
    private readonly TapedLinear _fc;
    private readonly bool _groupNorm;

    public ResNet18(long inChannels, long classes, bool groupNorm)
        : base(nameof(ResNet18))
    {
        _groupNorm = groupNorm;
        _stem = new TapedConv2d(inChannels, 64, 3, 1, 1, withBias: false);
        _stemNorm = new Norm(64, groupNorm);
        register_module("stem", _stem);
        register_module("stem_norm", _stemNorm);
        long[] planes = [64, 128, 256, 512];
        long inPlanes = 64;
        for (var stage = 0; stage < planes.Length; stage++)
        {
            for (var index = 0; index < 2; index++)
            {
                var stride = stage > 0 && index == 0 ? 2 : 1;
                var block = new BasicBlock(inPlanes, planes[stage], stride, groupNorm);
                register_module($"layer{stage + 1}_{index}", block);
                _blocks.Add(block);
                inPlanes = planes[stage];
            }
        }
        _fc = new TapedLinear(512, classes);
        register_module("fc", _fc);
    }

    public override bool DpCapable => _groupNorm;

    public override torch.Tensor Forward(torch.Tensor input, ActivationTape? tape)
    {
        var h = relu(_stemNorm.Forward(_stem.Forward(input, tape), tape));
        foreach (var block in _blocks)
        {
            h = block.Forward(h, tape);
        }
        h = adaptive_avg_pool2d(h, 1).flatten(1);
        return _fc.Forward(h, tape);
    }
}
