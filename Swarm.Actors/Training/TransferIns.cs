using Swarm.Learning.Training;
using Swarm.Tasks;

namespace Swarm.Actors.Training;

/// <summary>Build round 1's start from an imported model: <paramref name="Initial"/> (the task's seeded initial model)
/// with <paramref name="Layers"/> (the layers the chain recorded for the import) taken from <paramref name="Source"/>,
/// laid out as <paramref name="SourceLayout"/> gives (built off the peer's turn); under regularize, the trainer keeps
/// the penalty's anchor for every later local step. Answered with <see cref="TransferApplied"/>.</summary>
public sealed record TransferIns(TransferSpec Transfer, IReadOnlyList<string> Layers, float[] Source, float[] Initial,
    Func<(ParameterLayout? Layout, string? Problem)> SourceLayout);
