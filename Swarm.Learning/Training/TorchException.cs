namespace Swarm.Learning.Training;

/// <summary>A failure of the training engine, with its status and a message naming the operation.</summary>
public sealed class TorchException : Exception
{
    public TorchException(TorchStatus status, string message)
        : base(message)
    {
        Status = status;
    }

    public TorchException(TorchStatus status, string message, Exception inner)
        : base(message, inner)
    {
        Status = status;
    }

    public TorchStatus Status { get; }
}
