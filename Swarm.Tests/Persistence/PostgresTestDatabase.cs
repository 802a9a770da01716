using Npgsql;

namespace Swarm.Tests.Persistence;

/// <summary>
/// A private PostgreSQL schema on the test server that scripts/test.d/20-postgres.sh starts: created for one test,
/// dropped with everything in it afterwards, so tests (and test runs of several worktrees) never see each other's
/// tables. Without SWARM_TEST_POSTGRES the constructor throws, so the PostgreSQL tests fail instead of skipping.
/// </summary>
internal sealed class PostgresTestDatabase : IDisposable
{
    public const string Variable = "SWARM_TEST_POSTGRES";

    private readonly string _adminConnectionString;
    private readonly string _schema = "ledger_test_" + Guid.NewGuid().ToString("N");

    public PostgresTestDatabase()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set, so there is no PostgreSQL to test against: run these tests via `./swarm test`, " +
                "or `source scripts/test.d/20-postgres.sh` first and then `dotnet test`");
        }
        // No pooling: every test has its own search path, and idle pooled connections would pile up on the server.
        _adminConnectionString = new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString;
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { SearchPath = _schema }.ConnectionString;
        Execute($"CREATE SCHEMA {_schema};");
    }

    /// <summary>Connection string whose search path is this test's schema.</summary>
    public string ConnectionString { get; }

    /// <summary>Runs SQL in this test's schema, bypassing the store (to tamper with it).</summary>
    public void ExecuteInSchema(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose() => Execute($"DROP SCHEMA IF EXISTS {_schema} CASCADE;");

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(_adminConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
