using Npgsql;
using Swarm.Consensus.Storage;

namespace Swarm.Node.Persistence;

/// <summary>
/// The ledger in PostgreSQL, for institutions that run their database servers anyway. One transaction per append
/// that first locks the chain's row (so appenders of one chain queue up), and the primary key (chain_id, height)
/// as the last word: two concurrent appenders of one height can never both commit. Commits are durable because the
/// session forces <c>synchronous_commit = on</c>. Opening re-verifies the chain's tail.
/// </summary>
public sealed class PostgresLedgerStore : ILedgerStore
{
    private const string UniqueViolation = "23505";

    private readonly Lock _gate = new();
    private readonly NpgsqlConnection _connection;
    private readonly string _where;
    private bool _disposed;

    private PostgresLedgerStore(NpgsqlConnection connection, string where, string chainId)
    {
        _connection = connection;
        _where = where;
        ChainId = chainId;
    }

    public string ChainId { get; }

    /// <summary>Test hook: runs inside the append transaction after the row is written and before the commit.</summary>
    internal Action<StoredBlock>? BeforeCommit { get; set; }

    public LedgerHead? Head => Guarded(ReadHead);

    /// <summary>Connects with <paramref name="connectionString"/> and opens the ledger of <paramref name="chainId"/>,
    /// creating the schema when the database has none.</summary>
    /// <exception cref="LedgerException">The server cannot be reached, the schema is foreign or newer, or the chain
    /// fails the integrity check. Messages name the server without its password.</exception>
    public static PostgresLedgerStore Open(string connectionString, string chainId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        LedgerValidation.CheckChainId(chainId);
        var where = LedgerStoreOptions.RedactPostgres(connectionString);
        NpgsqlConnection? connection = null;
        PostgresLedgerStore? store = null;
        try
        {
            connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using (var command = new NpgsqlCommand("SET synchronous_commit TO on;", connection))
            {
                command.ExecuteNonQuery();
            }
            PostgresLedgerSchema.Ensure(connection, where, chainId);
            store = new PostgresLedgerStore(connection, where, chainId);
            store.VerifyTail();
            return store;
        }
        catch (Exception e) when (e is NpgsqlException or LedgerException or ArgumentException)
        {
            if (store is not null)
            {
                store.Dispose();
            }
            else
            {
                connection?.Dispose();
            }
            throw e is LedgerException ? e : new LedgerException($"PostgreSQL ledger at {where} cannot be opened: {e.Message}", e);
        }
    }

    public void Append(StoredBlock block)
    {
        LedgerValidation.CheckContent(ChainId, block);
        Guarded(() =>
        {
            using var transaction = _connection.BeginTransaction();
            using (var lockChain = Command("SELECT chain_id FROM ledger_chains WHERE chain_id = @chain FOR UPDATE;"))
            {
                lockChain.ExecuteNonQuery();
            }
            LedgerValidation.CheckLink(ChainId, ReadHead(), block);
            InsertBlock(block);
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
                INSERT INTO ledger_state (chain_id, key, value) VALUES (@chain, @key, @value)
                ON CONFLICT (chain_id, key) DO UPDATE SET value = excluded.value;
                """);
            command.Parameters.AddWithValue("key", key);
            command.Parameters.AddWithValue("value", value);
            return command.ExecuteNonQuery();
        });
    }

    public byte[]? LoadState(string key)
    {
        LedgerValidation.CheckStateKey(key);
        return Guarded(() =>
        {
            using var command = Command("SELECT value FROM ledger_state WHERE chain_id = @chain AND key = @key;");
            command.Parameters.AddWithValue("key", key);
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

    public override string ToString() => $"PostgreSQL ledger at {_where} chain '{ChainId}'";

    private void VerifyTail()
    {
        var head = ReadHead();
        if (head is null)
        {
            return;
        }
        using (var command = Command("SELECT COUNT(*), MIN(height) FROM ledger_blocks WHERE chain_id = @chain;"))
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
        using var command = Command("SELECT height, hash FROM ledger_blocks WHERE chain_id = @chain ORDER BY height DESC LIMIT 1;");
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
            SELECT height, hash, previous_hash, block, certificate FROM ledger_blocks
            WHERE chain_id = @chain AND height BETWEEN @from AND @to ORDER BY height;
            """);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", toInclusive);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            blocks.Add(new StoredBlock(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<byte[]>(2),
                reader.GetFieldValue<byte[]>(3), reader.GetFieldValue<byte[]>(4)));
        }
        return blocks;
    }

    private void InsertBlock(StoredBlock block)
    {
        using var command = Command("""
            INSERT INTO ledger_blocks (chain_id, height, hash, previous_hash, block, certificate)
            VALUES (@chain, @height, @hash, @previous, @block, @certificate);
            """);
        command.Parameters.AddWithValue("height", block.Height);
        command.Parameters.AddWithValue("hash", block.Hash);
        command.Parameters.AddWithValue("previous", block.PreviousHash);
        command.Parameters.AddWithValue("block", block.Block);
        command.Parameters.AddWithValue("certificate", block.Certificate);
        try
        {
            command.ExecuteNonQuery();
        }
        catch (PostgresException e) when (e.SqlState == UniqueViolation)
        {
            throw new LedgerException($"ledger of chain '{ChainId}' refused block {block.Height}: another writer stored that height first", e);
        }
    }

    private NpgsqlCommand Command(string sql)
    {
        var command = new NpgsqlCommand(sql, _connection);
        command.Parameters.AddWithValue("chain", ChainId);
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
            catch (NpgsqlException e)
            {
                throw new LedgerException($"PostgreSQL ledger at {_where} failed: {e.Message}", e);
            }
        }
    }

    private LedgerException Corrupt(string problem) =>
        new($"PostgreSQL ledger at {_where} failed its integrity check for chain '{ChainId}': {problem}");
}
