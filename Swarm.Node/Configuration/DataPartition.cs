namespace Swarm.Node.Configuration;

/// <summary>How a data set's training split is cut among sites: equal random shares, or label skew drawn from a
/// Dirichlet distribution.</summary>
public enum DataPartition
{
    Iid,
    Dirichlet,
}
