namespace Swarm.Learning.Training;

/// <summary>Where each tensor of a model lies in its flat float32 parameter vector: trainable parameters first,
/// then float buffers.</summary>
public sealed record ParameterLayout(IReadOnlyList<ParameterEntry> Entries, long TotalLength)
{
    /// <summary>Floats of the trainable entries, which form a prefix of the vector.</summary>
    public long TrainableLength => Entries.Where(e => e.Trainable).Sum(e => e.Length);
}
