namespace Swarm.Node.Persistence;

/// <summary>Which ledger implementation a node uses.</summary>
public enum LedgerStoreKind
{
    /// <summary>Embedded SQLite file (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server.</summary>
    Postgres,

    /// <summary>In memory only: lost when the process ends (simulations and tests).</summary>
    Memory,
}
