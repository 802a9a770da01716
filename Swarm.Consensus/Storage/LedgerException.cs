namespace Swarm.Consensus.Storage;

/// <summary>
/// A ledger operation was refused or the stored ledger is unusable: a block that does not extend the head, a
/// corrupt or foreign database, a schema this build does not know. The message names what is wrong.
/// </summary>
public sealed class LedgerException : Exception
{
    public LedgerException()
    {
    }

    public LedgerException(string message)
        : base(message)
    {
    }

    public LedgerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
