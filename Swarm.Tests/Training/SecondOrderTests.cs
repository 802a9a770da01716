using Swarm.Learning.Training;
using TorchSharp;

namespace Swarm.Tests.Training;

public sealed class SecondOrderTests
{
    [Fact]
    public void The_input_gradient_of_a_gradient_matching_loss_equals_central_finite_differences()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(17);
        var w1 = torch.randn([5, 6], torch.float64, generator: generator).requires_grad_(true);
        var w2 = torch.randn([3, 5], torch.float64, generator: generator).requires_grad_(true);
        var labels = torch.tensor(new long[] { 2, 0 });
        torch.Tensor Loss(torch.Tensor x) =>
            torch.nn.functional.cross_entropy(torch.tanh(x.matmul(w1.t())).matmul(w2.t()), labels);
        var target = torch.randn([5 * 6 + 3 * 5], torch.float64, generator: generator);
        var x = torch.randn([2, 6], torch.float64, generator: generator).requires_grad_(true);

        var (loss, gradient) = SecondOrder.MatchGradient(Loss, x, [w1, w2], target);

        Assert.True(loss > 0);
        const double h = 1e-5;
        for (var i = 0; i < 12; i++)
        {
            var numeric = (MatchLoss(Loss, Shifted(x, i, h), w1, w2, target) -
                           MatchLoss(Loss, Shifted(x, i, -h), w1, w2, target)) / (2 * h);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-4 * Math.Max(1, Math.Abs(numeric)),
                $"coordinate {i}: autograd {gradient[i]}, finite differences {numeric}");
        }
    }

    [Fact]
    public void Gradient_inversion_of_one_image_moves_a_random_start_towards_the_training_image()
    {
        var shape = new ImageShape(1, 8, 8);
        var secret = SyntheticImages.Make(1, shape, 2, seed: 4);
        using var model = TorchTrainer.Create("smallcnn", 1, 2, imageSize: 8, seed: 9);
        var target = new float[model.Layout.TrainableLength];
        model.Gradient(secret, target);

        var guess = new float[shape.Size];
        var random = new Random(3);
        for (var i = 0; i < guess.Length; i++)
        {
            guess[i] = (float)(random.NextDouble() - 0.5);
        }
        var startDistance = Distance(guess, secret.Images.Span);
        var step = new float[guess.Length];
        var first = double.NaN;
        var last = double.NaN;
        for (var iteration = 0; iteration < 300; iteration++)
        {
            var candidate = new TrainingData(guess.ToArray(), secret.Labels, shape);
            last = model.GradientMatching(candidate, target, step);
            first = iteration == 0 ? last : first;
            var norm = Math.Max(1e-12, SyntheticImages.Norm(step));
            for (var i = 0; i < guess.Length; i++)
            {
                guess[i] -= (float)(0.05 * step[i] / norm);
            }
        }
        Assert.True(last < first / 10, $"matching loss {first} -> {last}");
        var endDistance = Distance(guess, secret.Images.Span);
        Assert.True(endDistance < startDistance / 2, $"distance to the image {startDistance} -> {endDistance}");
    }

    private static torch.Tensor Shifted(torch.Tensor x, int index, double delta)
    {
        var copy = x.detach().clone();
        copy.view(-1)[index] = copy.view(-1)[index] + delta;
        return copy.requires_grad_(true);
    }

    private static double MatchLoss(Func<torch.Tensor, torch.Tensor> loss, torch.Tensor x, torch.Tensor w1,
        torch.Tensor w2, torch.Tensor target)
    {
        var grads = torch.autograd.grad([loss(x)], [w1, w2], create_graph: false);
        var flat = torch.cat([grads[0].flatten(), grads[1].flatten()]);
        return (flat - target).Squared().sum().item<double>();
    }

    private static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += ((double)a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.Sqrt(sum);
    }
}
