using TorchSharp;

namespace Swarm.Learning.Training.Zoo;

/// <summary>One recorded layer application: the activation that entered it and the output it produced (the
/// gradient of the loss with respect to that output is the layer's backprop).</summary>
internal sealed record TapeEntry(LayerKind Kind, torch.nn.Module Layer, torch.Tensor Input, torch.Tensor Output);
