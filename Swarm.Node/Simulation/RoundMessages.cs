using Swarm.Actors.Training;

namespace Swarm.Node.Simulation;

/// <summary>Run one round with this instruction to every site; the coordinator answers <see cref="RoundCompleted"/>
/// or <see cref="RoundFailed"/>.</summary>
public sealed record RunRound(TrainIns Instruction);

/// <summary>The round's decision and the training results of the sites whose updates it includes.</summary>
public sealed record RoundCompleted(RoundDecision Decision, IReadOnlyList<TrainRes> Results);

/// <summary>The round cannot reach its quorum: too many sites failed.</summary>
public sealed record RoundFailed(int Round, string Reason);
