namespace Swarm.Learning.Training;

/// <summary>The optimizers of the engine (LibTorch's SGD with momentum, and Adam).</summary>
public enum OptimizerKind
{
    Sgd = 0,
    Adam = 1,
}
