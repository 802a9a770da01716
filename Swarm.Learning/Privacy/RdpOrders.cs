namespace Swarm.Learning.Privacy;

/// <summary>The Rényi orders over which ε is minimized.</summary>
public static class RdpOrders
{
    /// <summary>1.1, 1.2, …, 10.9, then 12, 13, …, 63: the grid used by TF-privacy and Opacus, and by the
    /// Dopamine paper's figures.</summary>
    public static IReadOnlyList<double> Default { get; } =
    [
        .. Enumerable.Range(11, 99).Select(tenths => tenths / 10.0),
        .. Enumerable.Range(12, 52).Select(order => (double)order),
    ];
}
