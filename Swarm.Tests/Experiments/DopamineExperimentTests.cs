using System.Globalization;
using Swarm.Node.Cli;
using Swarm.Node.Experiments;

namespace Swarm.Tests.Experiments;

public sealed class DopamineExperimentTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Folder => _temp.Sub("report");

    [Fact]
    public void A_tiny_run_writes_the_table_the_runs_and_the_accuracy_versus_epsilon_plot()
    {
        var settings = new DopamineSettings
        {
            Datasets = ["breastmnist"], Sites = 3, Seeds = [1, 2], Epochs = 1, SiteBatch = 20, TrainLimit = 120,
        };

        Assert.Equal(ExitCodes.Ok, DopamineExperimentCommand.Run(settings, Folder, CancellationToken.None));

        var table = File.ReadAllText(Path.Combine(Folder, "dopamine.md"));
        var runs = File.ReadAllLines(Path.Combine(Folder, "runs.csv"));
        Assert.Equal(1 + (2 * DopamineExperiment.Methods.Count), runs.Length);
        foreach (var method in DopamineExperiment.Methods)
        {
            Assert.Contains($"| {method} |", table, StringComparison.Ordinal);
        }
        // Dopamine and central DP-SGD sample at the same q for the same steps and σ: the same ε.
        double Epsilon(string method) => double.Parse(runs.First(line => line.Split(',')[2] == method).Split(',')[5], CultureInfo.InvariantCulture);
        Assert.Equal(Epsilon(DopamineExperiment.CentralDp), Epsilon(DopamineExperiment.Dopamine), 2);
        Assert.Equal(double.PositiveInfinity, Epsilon(DopamineExperiment.FedAvg));
        Assert.True(File.Exists(Path.Combine(Folder, "accuracy-vs-epsilon-breastmnist.png")));
        Assert.True(File.Exists(Path.Combine(Folder, "accuracy-vs-epsilon-breastmnist.svg")));
    }

    [Fact]
    public void A_model_without_per_example_gradients_is_refused_before_anything_runs()
    {
        Assert.Contains("gives no per-example gradients", new DopamineSettings { Model = "resnet18" }.Problem(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, DopamineExperimentCommand.Run(new DopamineSettings { Sites = 1 }, Folder, CancellationToken.None));
        Assert.False(Directory.Exists(Folder));
    }

    public void Dispose() => _temp.Dispose();
}
