using TorchSharp;
using TorchSharp.Modules;

namespace Swarm.Learning.Training;

/// <summary>The optimizer of one trainer. Its state (momentum, Adam moments) survives across training calls unless
/// the optimizer kind, momentum or weight decay changes; the learning rate is set on every call so that callers
/// can apply schedules.</summary>
internal sealed class TrainerOptimizer(IReadOnlyList<Parameter> parameters) : IDisposable
{
    private torch.optim.Optimizer? _optimizer;
    private (OptimizerKind Kind, double Momentum, double WeightDecay) _settings;

    public torch.optim.Optimizer For(TrainOptions options)
    {
        var settings = (options.Optimizer, options.Momentum, options.WeightDecay);
        if (_optimizer is null || settings != _settings)
        {
            _optimizer?.Dispose();
            _optimizer = options.Optimizer == OptimizerKind.Sgd
                ? torch.optim.SGD(parameters, options.LearningRate, options.Momentum, weight_decay: options.WeightDecay)
                : torch.optim.Adam(parameters, options.LearningRate, weight_decay: options.WeightDecay);
            _settings = settings;
        }
        foreach (var group in _optimizer.ParamGroups)
        {
            group.LearningRate = options.LearningRate;
        }
        return _optimizer;
    }

    public void Dispose() => _optimizer?.Dispose();
}
