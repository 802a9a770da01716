using Microsoft.Extensions.Logging;
using Swarm.Consensus.Storage;

namespace Swarm.Node.Persistence;

/// <summary>
/// Opens the ledger of each chain a node takes part in, all in the one configured database (SQLite file,
/// PostgreSQL database, or one in-memory disk shared by the node's chains).
/// </summary>
public sealed class LedgerStoreFactory
{
    private readonly InMemoryLedgerDisk _memory = new();
    private readonly ILogger _logger;

    public LedgerStoreFactory(LedgerStoreOptions options, ILogger<LedgerStoreFactory> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        Options = options;
        _logger = logger;
    }

    public LedgerStoreOptions Options { get; }

    /// <summary>Opens the ledger of <paramref name="chainId"/>; throws <see cref="LedgerException"/> when the
    /// database is unusable (the message names it, never with its password).</summary>
    public ILedgerStore Open(string chainId)
    {
        ILedgerStore store = Options.Kind switch
        {
            LedgerStoreKind.Sqlite => SqliteLedgerStore.Open(Options.Target, chainId),
            LedgerStoreKind.Postgres => PostgresLedgerStore.Open(Options.Target, chainId),
            LedgerStoreKind.Memory => new InMemoryLedgerStore(_memory, chainId),
            _ => throw new InvalidOperationException($"ledger store kind {Options.Kind} has no implementation"),
        };
        _logger.LogInformation("Opened ledger of chain {ChainId} on {Store} at height {Height}", chainId, Options,
            store.Head?.Height.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(empty)");
        return store;
    }
}
