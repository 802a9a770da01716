using System.Globalization;

namespace Swarm.Node.Experiments;

/// <summary>The Dopamine experiment's settings (<see cref="DopamineExperiment"/>): data sets, IID sites, seeds, the
/// epoch budget every method gets, each site's expected batch b, plain SGD's rate, and DP-SGD's σ, C and δ, the
/// same for every DP method.</summary>
public sealed record DopamineSettings
{
    public IReadOnlyList<string> Datasets { get; init; } = ["retinamnist", "pneumoniamnist"];
    public string Model { get; init; } = "smallcnn";
    public int Sites { get; init; } = 10;
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];

    /// <summary>Passes over the data every method gets: epochs (centralized), rounds of one local epoch (FedAvg), or
    /// the matching number of one-step rounds (Dopamine).</summary>
    public int Epochs { get; init; } = 15;

    /// <summary>b: each site's expected batch; centralized methods use K·b, so every DP method samples at the same q.</summary>
    public int SiteBatch { get; init; } = 10;
    public double LearningRate { get; init; } = 0.2;
    public double NoiseMultiplier { get; init; } = 1.0;
    public double ClipNorm { get; init; } = 2.0;
    public double Delta { get; init; } = 1e-4;
    public int Threads { get; init; } = 1;

    /// <summary>Use only the first N training images of each data set (0: all).</summary>
    public int TrainLimit { get; init; }

    public string? Problem()
    {
        if (Sites < 2 || Epochs < 1 || SiteBatch < 1 || Threads < 1 || TrainLimit < 0 || Seeds.Count == 0)
        {
            return "--sites must be at least 2, --epochs, --site-batch and --threads at least 1, --train-limit not negative, and --seeds must name one";
        }
        if (!(LearningRate > 0) || !(NoiseMultiplier > 0) || !(ClipNorm > 0) || Delta is <= 0 or >= 1)
        {
            return "--learning-rate, --noise-multiplier and --clip-norm must be positive and --delta in (0, 1)";
        }
        if (Datasets.FirstOrDefault(d => !MedMnistProtocol.Published.ContainsKey(d)) is { } unknown)
        {
            return $"unknown data set '{unknown}' (pneumoniamnist, breastmnist, retinamnist)";
        }
        if (Model is not ("smallcnn" or "resnet18-gn"))
        {
            return $"model '{Model}' gives no per-example gradients for DP-SGD: use smallcnn or resnet18-gn";
        }
        return Datasets.Count == 0 ? "name at least one data set" : null;
    }

    /// <summary>One line with every setting, for the report and the log.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Model}, {Sites} IID sites, seeds {string.Join(", ", Seeds)}, {Epochs} epochs' worth of training, site batch b = {SiteBatch} " +
        $"(centralized K·b = {Sites * SiteBatch}), plain SGD at {LearningRate}, σ = {NoiseMultiplier}, C = {ClipNorm}, δ = {Delta}, " +
        $"{Threads} libtorch thread(s){(TrainLimit > 0 ? $", first {TrainLimit} training images" : "")}");
}
