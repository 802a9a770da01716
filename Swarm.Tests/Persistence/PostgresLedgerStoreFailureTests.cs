using Npgsql;
using Swarm.Consensus.Storage;
using Swarm.Node.Persistence;

namespace Swarm.Tests.Persistence;

/// <summary>What the PostgreSQL store does with tampered or newer schemas, a failed append and a bad password.</summary>
public sealed class PostgresLedgerStoreFailureTests : IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public void A_tampered_last_block_fails_the_integrity_check_on_open()
    {
        WriteChain(3);
        _database.ExecuteInSchema("UPDATE ledger_blocks SET block = block || '\\x00'::bytea WHERE height = 2;");
        var error = Assert.Throws<LedgerException>(() => PostgresLedgerStore.Open(_database.ConnectionString, "task-a"));
        Assert.Contains("block 2 does not match its stored hash", error.Message);
    }

    [Fact]
    public void A_newer_schema_version_is_refused()
    {
        WriteChain(1);
        _database.ExecuteInSchema("UPDATE ledger_schema_version SET version = 7;");
        var error = Assert.Throws<LedgerException>(() => PostgresLedgerStore.Open(_database.ConnectionString, "task-a"));
        Assert.Contains("schema version 7, newer than this build's 1", error.Message);
    }

    [Fact]
    public void An_append_failing_just_before_commit_leaves_no_half_block()
    {
        var chain = TestChains.Chain(3);
        using (var store = PostgresLedgerStore.Open(_database.ConnectionString, "task-a"))
        {
            TestChains.AppendAll(store, chain[..2]);
            store.BeforeCommit = _ => throw new IOException("injected failure between write and commit");
            Assert.Throws<IOException>(() => store.Append(chain[2]));
            Assert.Equal(chain[1].AsHead(), store.Head);
        }
        using var reopened = PostgresLedgerStore.Open(_database.ConnectionString, "task-a");
        Assert.Equal(chain[1].AsHead(), reopened.Head);
        reopened.Append(chain[2]);
        Assert.Equal(chain, reopened.ReadRange(0, 2));
    }

    [Fact]
    public void A_wrong_password_is_a_clear_error_that_does_not_show_the_password()
    {
        var wrong = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Password = "not-the-password-4711" };
        var error = Assert.Throws<LedgerException>(() => PostgresLedgerStore.Open(wrong.ConnectionString, "task-a"));
        Assert.Contains("cannot be opened", error.Message);
        Assert.Contains("Host=127.0.0.1", error.Message);
        Assert.DoesNotContain("not-the-password-4711", error.Message);
    }

    private void WriteChain(int count)
    {
        using var store = PostgresLedgerStore.Open(_database.ConnectionString, "task-a");
        TestChains.AppendAll(store, TestChains.Chain(count));
    }
}
