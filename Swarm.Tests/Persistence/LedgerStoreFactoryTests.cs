using Microsoft.Extensions.Logging;
using Swarm.Consensus.Storage;
using Swarm.Node.Persistence;

namespace Swarm.Tests.Persistence;

public sealed class LedgerStoreFactoryTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("sqlite", LedgerStoreKind.Sqlite)]
    [InlineData("SQLite", LedgerStoreKind.Sqlite)]
    [InlineData("postgres", LedgerStoreKind.Postgres)]
    [InlineData("postgresql", LedgerStoreKind.Postgres)]
    [InlineData("memory", LedgerStoreKind.Memory)]
    public void Kind_names_are_read_case_insensitively(string name, LedgerStoreKind kind)
    {
        Assert.Equal(kind, LedgerStoreOptions.Parse(name, "target").Kind);
    }

    [Fact]
    public void An_unknown_kind_is_an_error_naming_the_accepted_kinds()
    {
        var error = Assert.Throws<ArgumentException>(() => LedgerStoreOptions.Parse("mongodb", "x"));
        Assert.Contains("unknown ledger store kind 'mongodb' (expected sqlite, postgres or memory)", error.Message);
    }

    [Fact]
    public void A_disk_kind_without_a_target_is_an_error()
    {
        Assert.Contains("database file path", Assert.Throws<ArgumentException>(() => LedgerStoreOptions.Parse("sqlite", " ")).Message);
        Assert.Contains("connection string", Assert.Throws<ArgumentException>(() => LedgerStoreOptions.Parse("postgres", null)).Message);
    }

    [Fact]
    public void Postgres_options_never_show_the_password()
    {
        var options = LedgerStoreOptions.Parse("postgres", "Host=db.example;Username=swarm;Password=s3cret-Pa55;Database=ledger");
        var shown = options.ToString();
        Assert.DoesNotContain("s3cret-Pa55", shown);
        Assert.Contains("Host=db.example", shown);
        Assert.Contains("Password=***", shown);
        Assert.Equal("(connection string that cannot be parsed)", LedgerStoreOptions.RedactPostgres("Password=x;=;;garbage"));
    }

    [Fact]
    public void Opening_a_postgres_store_logs_the_server_without_its_password()
    {
        using var database = new PostgresTestDatabase();
        var logger = new RecordingLogger<LedgerStoreFactory>();
        var factory = new LedgerStoreFactory(LedgerStoreOptions.Parse("postgres", database.ConnectionString), logger);
        using var store = factory.Open("task-a");

        var password = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString).Password;
        Assert.False(string.IsNullOrEmpty(password));
        var line = Assert.Single(logger.Lines);
        Assert.Contains("Opened ledger of chain task-a on postgres Host=127.0.0.1", line);
        Assert.DoesNotContain(password, line);
    }

    [Fact]
    public void The_sqlite_kind_opens_every_chain_in_one_file()
    {
        var path = Path.Combine(_directory.Path, "node", "ledger.db");
        var factory = new LedgerStoreFactory(LedgerStoreOptions.Parse("sqlite", path), new RecordingLogger<LedgerStoreFactory>());
        using (var a = factory.Open("task-a"))
        using (var b = factory.Open("task-b"))
        {
            a.Append(TestChains.Next(null, seed: 1));
            b.Append(TestChains.Next(null, seed: 2));
        }
        using var reopened = SqliteLedgerStore.Open(path, "task-b");
        Assert.Equal(TestChains.Next(null, seed: 2), reopened.Read(0));
    }

    [Fact]
    public void The_memory_kind_shares_one_disk_between_the_stores_it_opens()
    {
        var factory = new LedgerStoreFactory(LedgerStoreOptions.Parse("memory", null), new RecordingLogger<LedgerStoreFactory>());
        var genesis = TestChains.Next(null);
        using (var first = factory.Open("task-a"))
        {
            first.Append(genesis);
        }
        using var second = factory.Open("task-a");
        Assert.Equal(genesis.AsHead(), second.Head);
    }

    [Fact]
    public void An_unusable_sqlite_target_is_a_ledger_error()
    {
        var path = Path.Combine(_directory.Path, "not-a-db");
        File.WriteAllText(path, "this is a text file, not a database, and long enough to have a header of a hundred bytes........................");
        var factory = new LedgerStoreFactory(LedgerStoreOptions.Parse("sqlite", path), new RecordingLogger<LedgerStoreFactory>());
        Assert.Throws<LedgerException>(() => factory.Open("task-a"));
    }

    private sealed class RecordingLogger<T> : ILogger<T>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
