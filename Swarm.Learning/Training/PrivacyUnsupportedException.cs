namespace Swarm.Learning.Training;

/// <summary>DP-SGD cannot train this model (its per-example gradients are unknown); the message says why.</summary>
internal sealed class PrivacyUnsupportedException(string message) : Exception(message);
