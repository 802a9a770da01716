using Microsoft.Data.Sqlite;
using Swarm.Consensus.Storage;

namespace Swarm.Node.Persistence;

/// <summary>
/// The versioned schema of the SQLite ledger. Version 1: <c>blocks</c> keyed by (chain_id, height), <c>state</c> keyed
/// by (chain_id, key), and the one-row <c>schema_version</c>. A database written by a newer build is refused rather
/// than guessed at; a database that is not a Swarm ledger is refused rather than written into.
/// </summary>
internal static class SqliteLedgerSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int CurrentVersion = 1;

    private const string CreateSql = """
        CREATE TABLE schema_version (version INTEGER NOT NULL);
        CREATE TABLE blocks (
            chain_id      TEXT    NOT NULL,
            height        INTEGER NOT NULL CHECK (height >= 0),
            hash          BLOB    NOT NULL CHECK (length(hash) = 32),
            previous_hash BLOB    NOT NULL,
            block         BLOB    NOT NULL,
            certificate   BLOB    NOT NULL,
            PRIMARY KEY (chain_id, height)
        );
        CREATE TABLE state (
            chain_id TEXT NOT NULL,
            key      TEXT NOT NULL,
            value    BLOB NOT NULL,
            PRIMARY KEY (chain_id, key)
        );
        """;

    /// <summary>Creates the schema in an empty database, or checks the version of an existing one.</summary>
    public static void Ensure(SqliteConnection connection, string path)
    {
        using var transaction = connection.BeginTransaction();
        var tables = Tables(connection, transaction);
        if (tables.Count == 0)
        {
            Execute(connection, transaction, CreateSql);
            Execute(connection, transaction, $"INSERT INTO schema_version (version) VALUES ({CurrentVersion});");
        }
        else if (!tables.Contains("schema_version") || !tables.Contains("blocks") || !tables.Contains("state"))
        {
            throw new LedgerException(
                $"ledger database '{path}' is not a Swarm ledger (it has tables {string.Join(", ", tables)} but not schema_version, blocks and state); point the store at a new file");
        }
        else
        {
            CheckVersion(ReadVersion(connection, transaction, path), path);
        }
        transaction.Commit();
    }

    private static void CheckVersion(long version, string path)
    {
        if (version > CurrentVersion)
        {
            throw new LedgerException(
                $"ledger database '{path}' has schema version {version}, newer than this build's {CurrentVersion}; run a newer swarm");
        }
        if (version != CurrentVersion)
        {
            throw new LedgerException($"ledger database '{path}' has unknown schema version {version} (this build knows {CurrentVersion})");
        }
    }

    private static long ReadVersion(SqliteConnection connection, SqliteTransaction transaction, string path)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT version FROM schema_version;";
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw new LedgerException($"ledger database '{path}' has an empty schema_version table");
        }
        var version = reader.GetInt64(0);
        if (reader.Read())
        {
            throw new LedgerException($"ledger database '{path}' has more than one row in schema_version");
        }
        return version;
    }

    private static List<string> Tables(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
