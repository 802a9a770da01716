using TorchSharp;
using TorchSharp.Modules;

namespace Swarm.Learning.Training;

/// <summary>
/// The optimizer of one trainer: SGD with momentum (PyTorch's rule with no dampening and no Nesterov term) and
/// Adam (Kingma and Ba, ICLR 2015, with PyTorch's L2 weight decay added to the gradient). Its state (momentum
/// buffers, Adam's moments and step counts) survives across training calls unless the optimizer kind, momentum or
/// weight decay changes; the learning rate is taken from every step's options, so callers can apply schedules.
/// </summary>
/// <remarks>
/// The arithmetic is TorchSharp's <c>torch.optim.SGD</c> and <c>torch.optim.Adam</c> operation for operation, so
/// the results are the same to the bit; it is written here because those classes pass temporary scalars to libtorch
/// that a garbage collection can free during the call (see <see cref="HeldScalars"/>). Every scalar below is held
/// until the tensor calls that read it have returned.
/// </remarks>
internal sealed class TrainerOptimizer(IReadOnlyList<Parameter> parameters) : IDisposable
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;

    private readonly List<ParameterState> _states = parameters.Select(_ => new ParameterState()).ToList();
    private (OptimizerKind Kind, double Momentum, double WeightDecay)? _settings;

    /// <summary>Clears every parameter's gradient (in place, as PyTorch's <c>zero_grad(set_to_none=False)</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in parameters)
        {
            using var grad = parameter.grad;
            grad?.zero_();
        }
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step(TrainOptions options)
    {
        var settings = (options.Optimizer, options.Momentum, options.WeightDecay);
        if (_settings != settings)
        {
            Reset();
            _settings = settings;
        }
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        using var weightDecay = HeldScalars.Of(options.WeightDecay);
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            var grad = parameter.grad;
            if (grad is null)
            {
                continue;
            }
            if (options.WeightDecay != 0)
            {
                grad = grad.add(parameter, weightDecay);
            }
            if (options.Optimizer == OptimizerKind.Sgd)
            {
                SgdStep(parameter, grad, _states[i], options);
            }
            else
            {
                AdamStep(parameter, grad, _states[i], options.LearningRate);
            }
        }
    }

    public void Dispose() => Reset();

    private static void SgdStep(Parameter parameter, torch.Tensor grad, ParameterState state, TrainOptions options)
    {
        if (options.Momentum != 0)
        {
            if (state.First is null)
            {
                state.First = grad.clone().detach().DetachFromDisposeScope();
            }
            else
            {
                using var momentum = HeldScalars.Of(options.Momentum);
                state.First.mul_(momentum).add_(grad, HeldScalars.One);
            }
            grad = state.First;
        }
        using var rate = HeldScalars.Of(-options.LearningRate);
        parameter.add_(grad, rate);
    }

    private static void AdamStep(Parameter parameter, torch.Tensor grad, ParameterState state, double learningRate)
    {
        state.First ??= torch.zeros_like(parameter).DetachFromDisposeScope();
        state.Second ??= torch.zeros_like(parameter).DetachFromDisposeScope();
        state.Steps++;
        var correction1 = 1 - Math.Pow(Beta1, state.Steps);
        var correction2 = 1 - Math.Pow(Beta2, state.Steps);
        using var beta1 = HeldScalars.Of(Beta1);
        using var gradWeight1 = HeldScalars.Of(1 - Beta1);
        using var beta2 = HeldScalars.Of(Beta2);
        using var gradWeight2 = HeldScalars.Of(1 - Beta2);
        using var correction2Root = HeldScalars.Of(Math.Sqrt(correction2));
        using var epsilon = HeldScalars.Of(Epsilon);
        using var stepSize = HeldScalars.Of(-(learningRate / correction1));
        state.First.mul_(beta1).add_(grad, gradWeight1);
        state.Second.mul_(beta2).addcmul_(grad, grad, gradWeight2);
        var denominator = state.Second.sqrt().div(correction2Root).add_(epsilon, HeldScalars.One);
        parameter.addcdiv_(state.First, denominator, stepSize);
    }

    private void Reset()
    {
        foreach (var state in _states)
        {
            state.Dispose();
        }
    }

    /// <summary>SGD's momentum buffer, or Adam's first and second moments and step count, of one parameter.</summary>
    private sealed class ParameterState : IDisposable
    {
        public torch.Tensor? First { get; set; }

        public torch.Tensor? Second { get; set; }

        public long Steps { get; set; }

        public void Dispose()
        {
            First?.Dispose();
            Second?.Dispose();
            First = null;
            Second = null;
            Steps = 0;
        }
    }
}
