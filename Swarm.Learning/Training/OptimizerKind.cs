namespace Swarm.Learning.Training;

/// <summary>The optimizers of the native engine (torch::optim::SGD with momentum, torch::optim::Adam).</summary>
public enum OptimizerKind
{
    Sgd = 0,
    Adam = 1,
}
