using System.Text.Json;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;
using Swarm.Actors.Consensus;
using Swarm.Actors.Platform;
using Swarm.Consensus.Blocks;
using Swarm.Node.Configuration;

namespace Swarm.Node.Persistence;

/// <summary>
/// Where a node's chain actors keep their journals and snapshots: Akka.Persistence.Sql (linq2db) on the node's store.
/// With <c>store.kind = sqlite</c>, the SQLite file <c>journal.db</c> in the node's data directory (beside the node's
/// own ledger file, not inside it, so that the two writers never wait on each other's locks); with
/// <c>store.kind = postgres</c>, the same PostgreSQL database as the node's store, in Akka's tables (<c>journal</c>,
/// <c>snapshot</c>, <c>journal_metadata</c>, <c>tags</c>, created on first use).
/// </summary>
public static class ChainJournalConfig
{
    /// <summary>The journal file of a node with a SQLite store.</summary>
    public const string SqliteFileName = "journal.db";

    /// <summary>The journal of a node with <paramref name="store"/> and data directory <paramref name="dataDirectory"/>.</summary>
    public static Config For(StoreSettings store, string dataDirectory) => store.Kind == StoreKind.Postgres
        ? Postgres(store.PostgresConnectionString)
        : Sqlite(Path.Combine(dataDirectory, SqliteFileName));

    /// <summary>A journal in the SQLite file at <paramref name="path"/> (created with its tables on first use).</summary>
    public static Config Sqlite(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        return Plugin("SQLite.MS", new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ConnectionString);
    }

    /// <summary>A journal in the PostgreSQL database of <paramref name="connectionString"/>.</summary>
    public static Config Postgres(string connectionString) => Plugin("PostgreSQL", connectionString);

    /// <summary>Reads <paramref name="genesis"/>'s chain from the journal <paramref name="journal"/> describes, on a
    /// short-lived actor system of its own (the chain's node may be running or not).</summary>
    public static async Task<IReadOnlyList<CertifiedBlock>> ReadChainAsync(Config journal, Genesis genesis, TimeSpan timeout)
    {
        var system = SwarmActorSystem.Create("journal-reader", overrides: journal);
        try
        {
            return await ChainJournalReader.ReadAsync(system, genesis, timeout).ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    private static Config Plugin(string provider, string connectionString)
    {
        var connection = JsonSerializer.Serialize(connectionString);
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  provider-name = "{{provider}}"
                  connection-string = {{connection}}
                  auto-initialize = true
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  provider-name = "{{provider}}"
                  connection-string = {{connection}}
                  auto-initialize = true
                }
              }
            }
            """).WithFallback(SqlPersistence.DefaultConfiguration);
    }
}
