using Swarm.Learning.DataVectors;

namespace Swarm.Node.Experiments;

/// <summary>Settings of <c>swarm experiment data-vectors</c> (<see cref="DataVectorExperiment"/>).</summary>
public sealed record DataVectorSettings
{
    public static IReadOnlyList<string> KnownDatasets { get; } = ["breastmnist", "retinamnist"];

    public static IReadOnlyList<string> KnownPartitions { get; } = ["iid", "dirichlet"];

    public static IReadOnlyList<string> KnownModels { get; } = ["smallcnn", "resnet18", "resnet18-gn"];

    /// <summary>The data sets the pre-trained model is fine-tuned on.</summary>
    public IReadOnlyList<string> Datasets { get; init; } = KnownDatasets;

    /// <summary>What the model is pre-trained on (1 channel, 2 classes).</summary>
    public string Pretraining { get; init; } = "pneumoniamnist";

    public IReadOnlyList<string> Partitions { get; init; } = KnownPartitions;

    /// <summary>Dirichlet concentration of the label skew.</summary>
    public double Alpha { get; init; } = 0.5;

    public int Sites { get; init; } = 4;

    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];

    public string Model { get; init; } = "smallcnn";

    public int PretrainEpochs { get; init; } = 10;

    /// <summary>Fine-tuning epochs of every site (and of full-data fine-tuning; rounds of the synchronous swarm).</summary>
    public int Epochs { get; init; } = 10;

    public double LearningRate { get; init; } = 1e-3;

    public int BatchSize { get; init; } = 64;

    public int Threads { get; init; } = 2;

    /// <summary>Use only the first N training images of every data set (0 = all; quick checks).</summary>
    public int TrainLimit { get; init; }

    /// <summary>λ grid of the validated rule: k/(2n) for k = 1 … this (n sites); 0 means 3n (up to λ = 1.5).</summary>
    public int LambdaSteps { get; init; }

    public string? Problem()
    {
        if (Sites < 2 || Sites > 16)
        {
            return "--sites must be between 2 and 16";
        }
        if (Epochs < 1 || PretrainEpochs < 1 || Threads < 1 || BatchSize < 1 || LambdaSteps < 0 || TrainLimit < 0)
        {
            return "--epochs, --pretrain-epochs, --threads, --batch-size must be at least 1, --lambda-steps and --train-limit not negative";
        }
        if (!(LearningRate > 0 && double.IsFinite(LearningRate)) || !(Alpha > 0 && double.IsFinite(Alpha)))
        {
            return "--lr and --alpha must be positive numbers";
        }
        if (Seeds.Count == 0 || Seeds.Distinct().Count() != Seeds.Count)
        {
            return "--seeds must name at least one seed, each once";
        }
        if (Datasets.Count == 0)
        {
            return $"--datasets must name some of {string.Join(", ", KnownDatasets)}";
        }
        if (Datasets.FirstOrDefault(d => !KnownDatasets.Contains(d)) is { } dataset)
        {
            return $"--datasets: '{dataset}' is not one of {string.Join(", ", KnownDatasets)}";
        }
        if (Partitions.Count == 0 || Partitions.Any(p => !KnownPartitions.Contains(p)))
        {
            return $"--partitions must name some of {string.Join(", ", KnownPartitions)}";
        }
        return !KnownModels.Contains(Model) ? $"--model '{Model}' is not one of {string.Join(", ", KnownModels)}" : null;
    }

    /// <summary>The λ grid every site scores for <see cref="MergeRule.Validated"/>.</summary>
    public IReadOnlyList<double> LambdaGrid => LambdaAgreement.Grid(Sites, LambdaSteps > 0 ? LambdaSteps : 3 * Sites);
}
