namespace Swarm.Node.Configuration;

/// <summary>Which ledger/journal store a node uses.</summary>
public enum StoreKind
{
    /// <summary>Embedded SQLite file under the data directory (the default; nothing to install).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server named by <c>store.postgres-connection-string</c>.</summary>
    Postgres,
}
