namespace Swarm.Learning.Training.Zoo;

/// <summary>The layers whose per-example gradients DP-SGD can form from a recorded input and output.</summary>
internal enum LayerKind
{
    Linear,
    Conv2d,
    GroupNorm,
}
