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
        _group is not null ? _group.Forward(input, tape) : _batch!.forward(input);
}
