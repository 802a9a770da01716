namespace Swarm.Node.Tasks;

/// <summary>A task spec file that cannot be used; <see cref="Problems"/> lists every problem, each naming the
/// file, the line and the key.</summary>
public sealed class TaskSpecFileException(IReadOnlyList<string> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
