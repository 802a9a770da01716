namespace Swarm.Node.Configuration;

/// <summary>How a data set's training split is cut among sites: equal random shares, label skew drawn from a
/// Dirichlet distribution, or the hospital split (quantity and label skew, size exponent 1.5).</summary>
public enum DataPartition
{
    Iid,
    Dirichlet,
    Hospital,
}
