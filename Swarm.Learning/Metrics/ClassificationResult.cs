namespace Swarm.Learning.Metrics;

/// <summary>The two numbers MedMNIST reports for a classifier on a split.</summary>
/// <param name="Auc">Area under the ROC curve (binary), or the mean one-vs-rest AUC (multi-class).</param>
/// <param name="Accuracy">The fraction of examples classified correctly.</param>
public sealed record ClassificationResult(double Auc, double Accuracy);
