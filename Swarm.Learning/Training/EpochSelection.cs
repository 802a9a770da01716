namespace Swarm.Learning.Training;

/// <summary>
/// Picks the epoch (or round) whose model is kept: the highest validation AUC; while no epoch so far had a defined
/// AUC (a one-class validation split gives NaN), the lowest validation loss. The first epoch offered is always
/// taken, so a selection never stays empty, and once an epoch with an AUC is taken no loss-only epoch replaces it.
/// Ties keep the earlier epoch.
/// </summary>
public sealed class EpochSelection
{
    private double _auc = double.NegativeInfinity;
    private double _loss = double.PositiveInfinity;

    /// <summary>The selected epoch (1-based); 0 before any was offered.</summary>
    public int Epoch { get; private set; }

    /// <summary>Whether the selected epoch was chosen by its AUC (false: by its loss, as no AUC was defined).</summary>
    public bool ByAuc { get; private set; }

    /// <summary>The selected epoch's validation AUC; NaN when it was chosen by its loss or none was offered.</summary>
    public double Auc => ByAuc ? _auc : double.NaN;

    /// <summary>Offers an epoch's validation scores; true when it becomes the selected one (the caller then keeps
    /// its parameters).</summary>
    public bool Offer(int epoch, double auc, double loss)
    {
        var take = Epoch == 0
            || (double.IsFinite(auc) && (!ByAuc || auc > _auc))
            || (!ByAuc && !double.IsFinite(auc) && loss < _loss);
        if (!take)
        {
            return false;
        }
        Epoch = epoch;
        ByAuc = double.IsFinite(auc);
        _auc = ByAuc ? auc : double.NegativeInfinity;
        _loss = double.IsFinite(loss) ? loss : double.PositiveInfinity;
        return true;
    }
}
