using TorchSharp;

namespace Swarm.Learning.Training.Zoo;

/// <summary>PyTorch's default initialisation of Conv2d and Linear: weights kaiming-uniform with a = √5, bias
/// uniform in ±1/√fan_in; so that the zoo starts like the same model written in Python.</summary>
internal static class DefaultInit
{
    public static void Apply(torch.Tensor weight, torch.Tensor? bias, long fanIn)
    {
        using var noGrad = torch.no_grad();
        torch.nn.init.kaiming_uniform_(weight, Math.Sqrt(5.0));
        if (bias is not null)
        {
            var bound = 1.0 / Math.Sqrt(fanIn);
            bias.uniform_(-bound, bound);
        }
    }
}
