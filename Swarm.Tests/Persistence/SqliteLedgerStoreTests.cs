using Swarm.Consensus.Storage;
using Swarm.Node.Persistence;

namespace Swarm.Tests.Persistence;

/// <summary>The conformance suite on the SQLite store, one temporary database file per test.</summary>
public sealed class SqliteLedgerStoreTests : LedgerStoreConformance
{
    private readonly TempDirectory _directory = new();

    protected override ILedgerStore OpenOnDatabase(string chainId) =>
        SqliteLedgerStore.Open(Path.Combine(_directory.Path, "ledger.db"), chainId);

    public override void Dispose()
    {
        base.Dispose();
        _directory.Dispose();
    }
}
