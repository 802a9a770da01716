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
