namespace Swarm.Node.Experiments;

/// <summary>One method's scores in one (data set, partition, seed) run of the data-vector experiment: AUC and
/// accuracy on the official test split, AUC on the official validation split.</summary>
public sealed record DataVectorMeasurement(string Dataset, string Partition, int Seed, string Method,
    double TestAuc, double TestAccuracy, double ValAuc);
