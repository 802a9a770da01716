namespace Swarm.Learning.Transfer;

/// <summary>How a task uses an auxiliary model imported from another chain: not at all, as the starting point of
/// the chosen layers, or as an anchor the chosen layers are pulled towards during training
/// (λ‖w − w_aux‖², the L2-SP penalty of Li, Grandvalet and Davoine, ICML 2018).</summary>
public enum TransferMode
{
    None,
    Initialize,
    Regularize,
}
