using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Swarm.Node.Persistence;

namespace Swarm.Tests.Persistence.Chain;

/// <summary>The chain journal's conformance suite on SQLite (a node's embedded default).</summary>
public sealed class SqliteChainJournalTests : ChainJournalConformance
{
    private readonly TempDirectory _directory = new();

    private string DatabasePath => Path.Combine(_directory.Path, ChainJournalConfig.SqliteFileName);

    protected override Config Journal => ChainJournalConfig.Sqlite(DatabasePath);

    protected override string GarbageBytes => "X'00010203'";

    /// <summary>The journal's connections (opened by linq2db with the same connection string) get SQLite's
    /// compiled-in default, which must be FULL (2): an acknowledged write then survives a power loss.</summary>
    [Fact]
    public void The_journal_connections_sync_every_commit_to_disk() => Assert.Equal(2, Scalar("PRAGMA synchronous"));

    protected override void Execute(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    protected override long Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    public override void Dispose()
    {
        base.Dispose();
        _directory.Dispose();
    }
}
