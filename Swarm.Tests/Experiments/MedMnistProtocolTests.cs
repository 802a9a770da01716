using System.Text.Json;
using Swarm.Learning.Training;
using Swarm.Node.Cli;
using Swarm.Node.Experiments;

namespace Swarm.Tests.Experiments;

public sealed class MedMnistProtocolTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string _folder => _temp.Sub("report");

    [Fact]
    public void Each_run_follows_the_papers_recipe_with_one_local_epoch_per_round()
    {
        var protocol = new MedMnistProtocol(new MedMnistProtocol.Settings(), TextWriter.Null);
        var options = protocol.OptionsFor("retinamnist", "resnet18");

        Assert.Equal((100, 1, 128, 1e-3), (options.Rounds, options.LocalEpochs, options.BatchSize, options.LearningRate));
        Assert.Equal(LearningRateSchedule.MultiStep, options.Schedule);
        Assert.Equal(100, options.TotalEpochs); // the centralized baseline trains as many epochs
        Assert.Equal("iid", options.Partition);
        Assert.Null(options.Validate());
        // × 0.1 at epochs 50 and 75 (0-based epoch 50 is the 51st), as MultiStepLR(milestones = [50, 75]).
        Assert.Equal([1e-3, 1e-4, 1e-4, 1e-5], new[] { 49, 50, 74, 75 }
            .Select(e => Math.Round(options.Schedule.At(1e-3, e, options.TotalEpochs), 12)));
    }

    [Fact]
    public async Task A_short_run_writes_the_table_beside_the_papers_numbers_and_each_runs_report()
    {
        var settings = new MedMnistProtocol.Settings
        {
            Datasets = ["breastmnist"], Epochs = 1, Sites = 2, TrainLimit = 120, Threads = 1,
        };

        Assert.Equal(ExitCodes.Ok, await ExperimentCommand.RunAsync(settings, _folder, CancellationToken.None));

        var table = File.ReadAllText(Path.Combine(_folder, "medmnist.md"));
        var row = table.Split('\n').Single(line => line.StartsWith("| breastmnist | smallcnn |", StringComparison.Ordinal));
        Assert.Contains("| 0.901 / 0.863 |", row, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "breastmnist-smallcnn", "results.json")));
        var swarm = json.RootElement.GetProperty("final").GetProperty("swarm").GetProperty("auc").GetDouble();
        Assert.Contains(swarm.ToString("F4", System.Globalization.CultureInfo.InvariantCulture), row, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chestmnist", "smallcnn", "unknown data set 'chestmnist'")]
    [InlineData("breastmnist", "vgg", "unknown model 'vgg'")]
    public void Unknown_names_are_refused_before_anything_runs(string dataset, string model, string expected)
    {
        var settings = new MedMnistProtocol.Settings { Datasets = [dataset], Models = [model] };
        Assert.Contains(expected, settings.Problem(), StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
