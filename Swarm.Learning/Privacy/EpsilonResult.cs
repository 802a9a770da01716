namespace Swarm.Learning.Privacy;

/// <summary>An (ε, δ) guarantee and the Rényi order that gave the smallest ε.</summary>
/// <param name="Epsilon">The privacy loss ε.</param>
/// <param name="Delta">The δ it holds for.</param>
/// <param name="Order">The Rényi order α at which ε was attained.</param>
public sealed record EpsilonResult(double Epsilon, double Delta, double Order);
