using Swarm.Consensus.Storage;
using Swarm.Node.Persistence;

namespace Swarm.Tests.Persistence;

/// <summary>The conformance suite on a real PostgreSQL server (started by scripts/test.d/20-postgres.sh).</summary>
public sealed class PostgresLedgerStoreTests : LedgerStoreConformance
{
    private readonly PostgresTestDatabase _database = new();

    protected override ILedgerStore OpenOnDatabase(string chainId) => PostgresLedgerStore.Open(_database.ConnectionString, chainId);

    public override void Dispose()
    {
        base.Dispose();
        _database.Dispose();
    }
}
