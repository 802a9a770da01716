namespace Swarm.Learning.Training;

/// <summary>One tensor of a model in the flat float32 parameter vector.</summary>
/// <param name="Name">Module path, e.g. <c>conv1.weight</c>.</param>
/// <param name="Shape">Tensor dimensions.</param>
/// <param name="Offset">Index of its first float in the flat vector.</param>
/// <param name="Length">Number of floats.</param>
/// <param name="Trainable">False for buffers such as BatchNorm running statistics.</param>
public sealed record ParameterEntry(string Name, IReadOnlyList<int> Shape, long Offset, long Length, bool Trainable);
