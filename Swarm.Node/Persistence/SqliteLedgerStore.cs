using Microsoft.Data.Sqlite;
using Swarm.Consensus.Storage;

namespace Swarm.Node.Persistence;

/// <summary>
/// The embedded ledger: one SQLite file holds the chains of every task this node takes part in, keyed by chain id.
/// Durability comes from WAL mode with <c>synchronous=FULL</c> (the WAL is fsynced at every commit) and one
/// <c>BEGIN IMMEDIATE</c> transaction per append, so a crash leaves either the whole block or none of it
/// (see docs/persistence.md). Opening re-verifies the chain's tail.
/// </summary>
public sealed class SqliteLedgerStore : ILedgerStore
{
    private const int BusyTimeoutSeconds = 30;
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private const int SqliteConstraint = 19;

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly string _path;
    private bool _disposed;

    private SqliteLedgerStore(SqliteConnection connection, string path, string chainId)
    {
        _connection = connection;
        _path = path;
        ChainId = chainId;
    }

    public string ChainId { get; }

    /// <summary>Test hook: runs inside the append transaction after the row is written and before the commit, so a
    /// test can fail an append at its most delicate point.</summary>
    internal Action<StoredBlock>? BeforeCommit { get; set; }

    public LedgerHead? Head => Guarded(ReadHead);

    /// <summary>Opens (creating when missing) the database at <paramref name="path"/> for <paramref name="chainId"/>.</summary>
    /// <exception cref="LedgerException">The file is corrupt, not a Swarm ledger, of a newer schema, or its chain
    /// fails the integrity check.</exception>
    public static SqliteLedgerStore Open(string path, string chainId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        LedgerValidation.CheckChainId(chainId);
        var fullPath = Path.GetFullPath(path);
        var connection = new SqliteConnection(ConnectionString(fullPath));
        SqliteLedgerStore? store = null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
            connection.Open();
            Configure(connection, fullPath);
            SqliteLedgerSchema.Ensure(connection, fullPath);
            store = new SqliteLedgerStore(connection, fullPath, chainId);
            store.VerifyTail();
            return store;
        }
        catch (Exception e)
        {
            ((IDisposable?)store ?? connection).Dispose();
            if (e is SqliteException sqlite)
            {
                throw Unusable(fullPath, sqlite);
            }
            if (e is IOException or UnauthorizedAccessException)
            {
                throw new LedgerException($"ledger database '{fullPath}' cannot be created: {e.Message}", e);
            }
            throw;
        }
    }

    public void Append(StoredBlock block)
    {
        LedgerValidation.CheckContent(ChainId, block);
        Guarded(() =>
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            LedgerValidation.CheckLink(ChainId, ReadHead(), block);
            InsertBlock(transaction, block);
            BeforeCommit?.Invoke(block);
            transaction.Commit();
            return 0;
        });
    }

    public StoredBlock? Read(long height) => Guarded(() => ReadBlocks(height, height) is [var block] ? block : null);

    public IReadOnlyList<StoredBlock> ReadRange(long from, long toInclusive) =>
        Guarded(() => ReadBlocks(from, LedgerValidation.RangeEnd(from, toInclusive, ReadHead())));

    public void SaveState(string key, byte[] value)
    {
        LedgerValidation.CheckState(key, value);
        Guarded(() =>
        {
            using var command = Command("""
                INSERT INTO state (chain_id, key, value) VALUES ($chain, $key, $value)
                ON CONFLICT (chain_id, key) DO UPDATE SET value = excluded.value;
                """);
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$value", value);
            return command.ExecuteNonQuery();
        });
    }

    public byte[]? LoadState(string key)
    {
        LedgerValidation.CheckStateKey(key);
        return Guarded(() =>
        {
            using var command = Command("SELECT value FROM state WHERE chain_id = $chain AND key = $key;");
            command.Parameters.AddWithValue("$key", key);
            using var reader = command.ExecuteReader();
            return reader.Read() ? reader.GetFieldValue<byte[]>(0) : null;
        });
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _connection.Dispose();
        }
    }

    public override string ToString() => $"sqlite ledger '{_path}' chain '{ChainId}'";

    private static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        // Without pooling, Dispose really closes the file, so a reopen reads what is on disk.
        Pooling = false,
        DefaultTimeout = BusyTimeoutSeconds,
    }.ToString();

    private static void Configure(SqliteConnection connection, string path)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = command.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new LedgerException($"ledger database '{path}' cannot use write-ahead logging (journal mode is '{mode}'); put it on a local file system");
        }
        command.CommandText = $"PRAGMA synchronous = FULL; PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000};";
        command.ExecuteNonQuery();
    }

    private void VerifyTail()
    {
        var head = ReadHead();
        if (head is null)
        {
            return;
        }
        using var command = Command("SELECT COUNT(*), MIN(height) FROM blocks WHERE chain_id = $chain;");
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            if (reader.GetInt64(0) != head.Height + 1 || reader.GetInt64(1) != 0)
            {
                throw Corrupt($"it holds {reader.GetInt64(0)} blocks from height {reader.GetInt64(1)} up to {head.Height}, not a gapless chain from 0");
            }
        }
        var tail = ReadBlocks(Math.Max(0, head.Height - 1), head.Height);
        var problem = LedgerValidation.CheckStoredTail(tail[^1], tail.Count > 1 ? tail[0] : null);
        if (problem is not null)
        {
            throw Corrupt(problem);
        }
    }

    private LedgerHead? ReadHead()
    {
        using var command = Command("SELECT height, hash FROM blocks WHERE chain_id = $chain ORDER BY height DESC LIMIT 1;");
        using var reader = command.ExecuteReader();
        return reader.Read() ? new LedgerHead(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)) : null;
    }

    private List<StoredBlock> ReadBlocks(long from, long toInclusive)
    {
        var blocks = new List<StoredBlock>();
        if (from < 0 || toInclusive < from)
        {
            return blocks;
        }
        using var command = Command("""
            SELECT height, hash, previous_hash, block, certificate FROM blocks
            WHERE chain_id = $chain AND height BETWEEN $from AND $to ORDER BY height;
            """);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", toInclusive);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            blocks.Add(new StoredBlock(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<byte[]>(2),
                reader.GetFieldValue<byte[]>(3), reader.GetFieldValue<byte[]>(4)));
        }
        return blocks;
    }

    private void InsertBlock(SqliteTransaction transaction, StoredBlock block)
    {
        using var command = Command("""
            INSERT INTO blocks (chain_id, height, hash, previous_hash, block, certificate)
            VALUES ($chain, $height, $hash, $previous, $block, $certificate);
            """);
        command.Transaction = transaction;
        command.Parameters.AddWithValue("$height", block.Height);
        command.Parameters.AddWithValue("$hash", block.Hash);
        command.Parameters.AddWithValue("$previous", block.PreviousHash);
        command.Parameters.AddWithValue("$block", block.Block);
        command.Parameters.AddWithValue("$certificate", block.Certificate);
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
        {
            throw new LedgerException($"ledger of chain '{ChainId}' refused block {block.Height}: another writer stored that height first", e);
        }
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$chain", ChainId);
        return command;
    }

    private T Guarded<T>(Func<T> action)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                return action();
            }
            catch (SqliteException e)
            {
                throw Unusable(_path, e);
            }
        }
    }

    private LedgerException Corrupt(string problem) =>
        new($"ledger database '{_path}' failed its integrity check for chain '{ChainId}': {problem}; restore the file from a backup or move it away and let the node catch up from its peers");

    private static LedgerException Unusable(string path, SqliteException e) => e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase
        ? new LedgerException($"ledger database '{path}' is corrupt or not a SQLite database ({e.Message}); restore it from a backup or move it away", e)
        : new LedgerException($"ledger database '{path}' failed: {e.Message}", e);
}
