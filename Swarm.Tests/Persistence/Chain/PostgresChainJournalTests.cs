using Akka.Configuration;
using Npgsql;
using Swarm.Node.Persistence;

namespace Swarm.Tests.Persistence.Chain;

/// <summary>The chain journal's conformance suite on a real PostgreSQL server (scripts/test.d/20-postgres.sh), in a
/// schema of its own.</summary>
public sealed class PostgresChainJournalTests : ChainJournalConformance
{
    private readonly PostgresTestDatabase _database = new();

    protected override Config Journal => ChainJournalConfig.Postgres(_database.ConnectionString);

    protected override string GarbageBytes => "'\\x00010203'::bytea";

    protected override void Execute(string sql) => _database.ExecuteInSchema(sql);

    protected override long Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(_database.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public override void Dispose()
    {
        base.Dispose();
        _database.Dispose();
    }
}
