using Swarm.Consensus.Storage;

namespace Swarm.Tests.Persistence;

/// <summary>The conformance suite on the in-memory store; "the database" is one <see cref="InMemoryLedgerDisk"/>.</summary>
public sealed class InMemoryLedgerStoreTests : LedgerStoreConformance
{
    private readonly InMemoryLedgerDisk _disk = new();

    protected override ILedgerStore OpenOnDatabase(string chainId) => new InMemoryLedgerStore(_disk, chainId);
}
