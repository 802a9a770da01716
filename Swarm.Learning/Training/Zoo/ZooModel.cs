using TorchSharp;

namespace Swarm.Learning.Training.Zoo;

/// <summary>A network of the zoo: an explicit forward that can record its layers on a tape for DP-SGD.</summary>
internal abstract class ZooModel : torch.nn.Module<torch.Tensor, torch.Tensor>
{
    protected ZooModel(string name)
        : base(name)
    {
    }

    /// <summary>True when every trainable parameter belongs to a Linear, Conv2d or GroupNorm layer (no BatchNorm,
    /// which mixes the examples of a batch).</summary>
    public abstract bool DpCapable { get; }

    public override torch.Tensor forward(torch.Tensor input) => Forward(input, null);

    public abstract torch.Tensor Forward(torch.Tensor input, ActivationTape? tape);
}
