using Microsoft.Data.Sqlite;
using Swarm.Consensus.Storage;
using Swarm.Node.Persistence;

namespace Swarm.Tests.Persistence;

/// <summary>What the SQLite store does with damaged, foreign or newer database files and with a failed append.</summary>
public sealed class SqliteLedgerStoreFailureTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string DatabasePath => Path.Combine(_directory.Path, "ledger.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_file_that_is_not_a_database_is_a_clear_error()
    {
        File.WriteAllBytes(DatabasePath, TestChains.BlockBytes(7, 0, 8192));
        var error = Assert.Throws<LedgerException>(() => SqliteLedgerStore.Open(DatabasePath, "task-a"));
        Assert.Contains(DatabasePath, error.Message);
        Assert.Contains("corrupt or not a SQLite database", error.Message);
    }

    [Fact]
    public void A_path_that_is_a_directory_is_a_clear_error()
    {
        Directory.CreateDirectory(DatabasePath);
        var error = Assert.Throws<LedgerException>(() => SqliteLedgerStore.Open(DatabasePath, "task-a"));
        Assert.Contains(DatabasePath, error.Message);
    }

    [Fact]
    public void A_path_below_a_file_is_a_clear_error()
    {
        File.WriteAllText(DatabasePath, "");
        var below = Path.Combine(DatabasePath, "ledger.db");
        var error = Assert.Throws<LedgerException>(() => SqliteLedgerStore.Open(below, "task-a"));
        Assert.Contains("cannot be created", error.Message);
    }

    [Fact]
    public void A_database_with_a_destroyed_header_is_a_clear_error()
    {
        WriteChain(5);
        using (var file = File.OpenWrite(DatabasePath))
        {
            file.Write(new byte[100]);
        }
        var error = Assert.Throws<LedgerException>(() => SqliteLedgerStore.Open(DatabasePath, "task-a"));
        Assert.Contains("corrupt or not a SQLite database", error.Message);
    }

    [Fact]
    public void A_flipped_bit_in_the_last_block_fails_the_integrity_check_on_open()
    {
        var chain = WriteChain(4);
        var bytes = File.ReadAllBytes(DatabasePath);
        var at = bytes.AsSpan().IndexOf(chain[^1].Block.AsSpan(100, 64));
        Assert.True(at >= 0, "the last block's bytes should be in the closed database file");
        bytes[at + 10] ^= 0x04;
        File.WriteAllBytes(DatabasePath, bytes);

        var error = Assert.Throws<LedgerException>(() => SqliteLedgerStore.Open(DatabasePath, "task-a"));
        Assert.Contains("failed its integrity check for chain 'task-a'", error.Message);
        Assert.Contains("block 3 does not match its stored hash", error.Message);
    }

    [Fact]
    public void A_broken_link_to_the_block_before_fails_the_integrity_check_on_open()
    {
        WriteChain(4);
        Execute("UPDATE blocks SET previous_hash = zeroblob(32) WHERE height = 3;");
        var error = Assert.Throws<LedgerException>(() => SqliteLedgerStore.Open(DatabasePath, "task-a"));
        Assert.Contains("block 3 does not link to the hash of block 2", error.Message);
    }

    [Fact]
    public void A_missing_block_in_the_middle_fails_the_integrity_check_on_open()
    {
        WriteChain(4);
        Execute("DELETE FROM blocks WHERE height = 1;");
        var error = Assert.Throws<LedgerException>(() => SqliteLedgerStore.Open(DatabasePath, "task-a"));
        Assert.Contains("not a gapless chain", error.Message);
    }

    [Fact]
    public void A_newer_schema_version_is_refused()
    {
        WriteChain(1);
        Execute("UPDATE schema_version SET version = 2;");
        var error = Assert.Throws<LedgerException>(() => SqliteLedgerStore.Open(DatabasePath, "task-a"));
        Assert.Contains("schema version 2, newer than this build's 1", error.Message);
    }

    [Fact]
    public void A_database_of_other_software_is_refused_and_left_alone()
    {
        Execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT);");
        var error = Assert.Throws<LedgerException>(() => SqliteLedgerStore.Open(DatabasePath, "task-a"));
        Assert.Contains("is not a Swarm ledger", error.Message);
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'blocks';"));
    }

    [Fact]
    public void The_database_runs_in_WAL_mode_with_the_schema_version_recorded()
    {
        WriteChain(1);
        Assert.Equal("wal", Scalar("PRAGMA journal_mode;"));
        Assert.Equal(1L, Scalar("SELECT version FROM schema_version;"));
    }

    [Fact]
    public void An_append_failing_just_before_commit_leaves_no_half_block()
    {
        var chain = TestChains.Chain(3);
        using (var store = SqliteLedgerStore.Open(DatabasePath, "task-a"))
        {
            TestChains.AppendAll(store, chain[..2]);
            store.BeforeCommit = _ => throw new IOException("injected failure between write and commit");
            Assert.Throws<IOException>(() => store.Append(chain[2]));
            Assert.Equal(chain[1].AsHead(), store.Head);
            Assert.Null(store.Read(2));
        }
        using var reopened = SqliteLedgerStore.Open(DatabasePath, "task-a");
        Assert.Equal(chain[1].AsHead(), reopened.Head);
        reopened.Append(chain[2]);
        Assert.Equal(chain, reopened.ReadRange(0, 2));
    }

    private List<StoredBlock> WriteChain(int count)
    {
        var chain = TestChains.Chain(count);
        using var store = SqliteLedgerStore.Open(DatabasePath, "task-a");
        TestChains.AppendAll(store, chain);
        return chain;
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
