namespace Swarm.Node.Experiments;

/// <summary>One method's outcome at one seed: the final model's test AUC and accuracy, ε at the experiment's δ
/// (+∞ without DP; the largest over the sites under per-site DP), the DP-SGD steps behind it and the wall time.</summary>
public sealed record DopamineMethodResult(string Dataset, int Seed, string Method, double Auc, double Accuracy, double Epsilon,
    double SamplingRate, long Steps, double Seconds);
