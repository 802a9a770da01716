namespace Swarm.Learning.Data;

/// <summary>A data set that cannot be used: unknown name, file not found, checksum mismatch or contents of the
/// wrong shape. The message names the data set or file and the fix.</summary>
public sealed class DataSetException : Exception
{
    public DataSetException(string message)
        : base(message)
    {
    }

    public DataSetException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
