namespace Swarm.Node.Configuration;

/// <summary>Where a folder entry's train / validation / test splits come from: the labels CSV's <c>split</c> column,
/// or a seeded split of each class by <c>validation-fraction</c> and <c>test-fraction</c>.</summary>
public enum DataSplit
{
    Csv,
    Seeded,
}
