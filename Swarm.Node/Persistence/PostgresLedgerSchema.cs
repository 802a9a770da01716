using Npgsql;
using Swarm.Consensus.Storage;

namespace Swarm.Node.Persistence;

/// <summary>
/// The versioned schema of the PostgreSQL ledger, in the schema the connection's search path names. Version 1:
/// <c>ledger_chains</c> (one row per chain, locked by appenders), <c>ledger_blocks</c> keyed by (chain_id, height),
/// <c>ledger_state</c> keyed by (chain_id, key), and the one-row <c>ledger_schema_version</c>. Tables carry a
/// <c>ledger_</c> prefix because a PostgreSQL database is often shared with other software.
/// </summary>
internal static class PostgresLedgerSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int CurrentVersion = 1;

    // Any constant works; it only has to be the same for every Swarm process creating the schema.
    private const long CreateLockKey = 0x5377_6172_6D4C_6467;

    private const string CreateSql = """
        CREATE TABLE ledger_schema_version (version integer NOT NULL);
        CREATE TABLE ledger_chains (chain_id text PRIMARY KEY);
        CREATE TABLE ledger_blocks (
            chain_id      text   NOT NULL REFERENCES ledger_chains (chain_id),
            height        bigint NOT NULL CHECK (height >= 0),
            hash          bytea  NOT NULL CHECK (length(hash) = 32),
            previous_hash bytea  NOT NULL,
            block         bytea  NOT NULL,
            certificate   bytea  NOT NULL,
            PRIMARY KEY (chain_id, height)
        );
        CREATE TABLE ledger_state (
            chain_id text  NOT NULL REFERENCES ledger_chains (chain_id),
            key      text  NOT NULL,
            value    bytea NOT NULL,
            PRIMARY KEY (chain_id, key)
        );
        """;

    /// <summary>Creates the schema when missing (once, under an advisory lock), checks its version, and registers the chain.</summary>
    public static void Ensure(NpgsqlConnection connection, string where, string chainId)
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, $"SELECT pg_advisory_xact_lock({CreateLockKey});");
        var hasVersion = Exists(connection, "ledger_schema_version");
        var hasBlocks = Exists(connection, "ledger_blocks");
        if (!hasVersion && !hasBlocks)
        {
            Execute(connection, CreateSql);
            Execute(connection, $"INSERT INTO ledger_schema_version (version) VALUES ({CurrentVersion});");
        }
        else if (!hasVersion)
        {
            throw new LedgerException($"PostgreSQL ledger at {where} has a ledger_blocks table but no ledger_schema_version; it was not made by swarm");
        }
        else
        {
            CheckVersion(connection, where);
        }
        using var register = new NpgsqlCommand("INSERT INTO ledger_chains (chain_id) VALUES (@chain) ON CONFLICT DO NOTHING;", connection);
        register.Parameters.AddWithValue("chain", chainId);
        register.ExecuteNonQuery();
        transaction.Commit();
    }

    private static void CheckVersion(NpgsqlConnection connection, string where)
    {
        using var command = new NpgsqlCommand("SELECT version FROM ledger_schema_version;", connection);
        var versions = new List<int>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                versions.Add(reader.GetInt32(0));
            }
        }
        if (versions.Count != 1)
        {
            throw new LedgerException($"PostgreSQL ledger at {where} has {versions.Count} rows in ledger_schema_version, not 1");
        }
        if (versions[0] > CurrentVersion)
        {
            throw new LedgerException(
                $"PostgreSQL ledger at {where} has schema version {versions[0]}, newer than this build's {CurrentVersion}; run a newer swarm");
        }
        if (versions[0] != CurrentVersion)
        {
            throw new LedgerException($"PostgreSQL ledger at {where} has unknown schema version {versions[0]} (this build knows {CurrentVersion})");
        }
    }

    private static bool Exists(NpgsqlConnection connection, string table)
    {
        using var command = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL;", connection);
        command.Parameters.AddWithValue("table", table);
        return (bool)command.ExecuteScalar()!;
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
