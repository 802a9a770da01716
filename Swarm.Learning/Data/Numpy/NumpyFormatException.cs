namespace Swarm.Learning.Data.Numpy;

/// <summary>A <c>.npy</c> or <c>.npz</c> file that this reader cannot accept; the message names the file or
/// archive member and what is wrong with it.</summary>
public sealed class NumpyFormatException : FormatException
{
    public NumpyFormatException(string member, string problem)
        : base($"{member}: {problem}")
    {
        Member = member;
        Problem = problem;
    }

    public NumpyFormatException(string member, string problem, Exception inner)
        : base($"{member}: {problem}", inner)
    {
        Member = member;
        Problem = problem;
    }

    /// <summary>The file or archive member the problem was found in.</summary>
    public string Member { get; }

    /// <summary>What is wrong, without the member name.</summary>
    public string Problem { get; }
}
