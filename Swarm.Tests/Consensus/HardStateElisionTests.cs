using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;
using Swarm.Tests.Consensus.Simulation;

namespace Swarm.Tests.Consensus;

/// <summary>A hard state is written at every vote; a prepared certificate whose block the replica already appended
/// to its ledger is written without the block and put back from the ledger when the state is read. The state must
/// read back to the same certificates, and a ledger that lacks the block or holds another one there must stop the
/// replica from starting instead of letting it run without its certificate.</summary>
public sealed class HardStateElisionTests
{
    private sealed class NoTransport : IReplicaTransport
    {
        public void Send(int from, int to, SignedMessage message)
        {
        }

        public void Broadcast(int from, SignedMessage message)
        {
        }
    }

    /// <summary>Replica 1 executes block 1 (a quorum of prepares and commits) and then votes for block 2: the state
    /// written at that vote holds the certificate of block 1, which the ledger holds.</summary>
    private static (PbftHarness Harness, InMemoryReplicaLedger Ledger, Block First) ExecutedThenVoted()
    {
        var h = new PbftHarness();
        var ledger = new InMemoryReplicaLedger();
        var host = new ReplicaHost(new Replica(h.Genesis, 1, PbftHarness.Options), h.Genesis.ChainId,
            FakeSignatureScheme.CreateSigner(1), h.Verifier, PbftHarness.Clients, ledger, new NoTransport());
        var first = new Block(1, h.Genesis.Hash, 0, 0, 0, [PbftHarness.Request(1)]);
        host.Deliver(h.Sign(0, new PrePrepare(0, 0, 1, first)));
        host.Deliver(h.Sign(2, new Prepare(2, 0, 1, first.Hash)));
        host.Deliver(h.Sign(0, new Commit(0, 0, 1, first.Hash)));
        host.Deliver(h.Sign(2, new Commit(2, 0, 1, first.Hash)));
        Assert.Equal(1, ledger.Height);
        host.Deliver(h.Sign(0, new PrePrepare(0, 0, 2, new Block(2, first.Hash, 0, 0, 0, [PbftHarness.Request(2)]))));
        return (h, ledger, first);
    }

    private static Block? At(InMemoryReplicaLedger ledger, long height) =>
        ledger.ReadRange(height, height) is [var stored] ? stored.Block : null;

    [Fact]
    public void A_certificate_of_a_block_in_the_ledger_is_stored_without_the_block_and_reads_back_whole()
    {
        var (_, ledger, first) = ExecutedThenVoted();
        var stored = ledger.LoadState(HardStateCodec.StoreKey)!;

        Assert.True(HardStateCodec.TryDecode(stored, height => At(ledger, height), out var state, out var error), error);
        Assert.Equal(2, state!.VotedThrough);
        var certificate = Assert.Single(state.PreparedCertificates);
        Assert.Equal(first.Hash, certificate.Proposal.Block.Hash);
        Assert.Equal(first.Encoded, certificate.Proposal.Block.Encoded);
        Assert.Equal(2, certificate.Prepares.Count);

        // The same state written whole is larger by about the block, and both forms read back to one state.
        var whole = HardStateCodec.Encode(state);
        Assert.True(stored.Length < whole.Length, $"stored {stored.Length} bytes, whole {whole.Length}");
        Assert.True(HardStateCodec.TryDecode(whole, out var fromWhole, out error), error);
        Assert.Equal(whole, HardStateCodec.Encode(fromWhole!));
        Assert.Equal(stored, HardStateCodec.Encode(fromWhole!, height => At(ledger, height)?.Hash));
    }

    [Fact]
    public void A_state_naming_a_block_the_ledger_lacks_is_refused_with_the_height()
    {
        var (_, ledger, _) = ExecutedThenVoted();
        var stored = ledger.LoadState(HardStateCodec.StoreKey)!;

        Assert.False(HardStateCodec.TryDecode(stored, _ => null, out _, out var error));
        Assert.Contains("height 1", error, StringComparison.Ordinal);
        Assert.Contains("does not hold", error, StringComparison.Ordinal);
        // Read without a ledger at all, as a tool that only has the state would.
        Assert.False(HardStateCodec.TryDecode(stored, out _, out error));
        Assert.Contains("height 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_state_naming_another_block_than_the_ledgers_is_refused_and_the_replica_does_not_start()
    {
        var (h, ledger, first) = ExecutedThenVoted();
        var stored = ledger.LoadState(HardStateCodec.StoreKey)!;
        var other = new Block(1, h.Genesis.Hash, 0, 0, 0, [PbftHarness.Request(7)]);

        Assert.False(HardStateCodec.TryDecode(stored, height => height == 1 ? other : null, out _, out var error));
        Assert.Contains($"names block {first.Hash}", error, StringComparison.Ordinal);
        Assert.Contains($"holds block {other.Hash}", error, StringComparison.Ordinal);

        // A ledger that lost its blocks but kept the state (a restore from mismatched backups): the replica refuses
        // to start rather than run without its prepared certificate.
        var bare = new InMemoryReplicaLedger();
        bare.SaveState(HardStateCodec.StoreKey, stored);
        var refused = Assert.Throws<ReplicaStateException>(() => ReplicaHost.Restore(h.Genesis, 1, PbftHarness.Options, bare));
        Assert.Contains("height 1", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replica_restored_from_a_state_without_blocks_carries_its_certificate_into_the_view_change()
    {
        var (h, ledger, first) = ExecutedThenVoted();

        var replica = ReplicaHost.Restore(h.Genesis, 1, PbftHarness.Options, ledger);

        // Two others ask for view 1 (f + 1 at n = 4), so the replica joins; its VIEW-CHANGE must carry the prepared
        // certificate of block 1, whole, read back from the ledger.
        replica.Step(new Receive(h.Verify(h.Sign(2, new ViewChange(2, 1, 0, h.Genesis.Hash, 0, [], [])))));
        var viewChange = replica.Step(new Receive(h.Verify(h.Sign(3, new ViewChange(3, 1, 0, h.Genesis.Hash, 0, [], [])))))
            .OfType<SignRequest>().Select(s => s.Message).OfType<ViewChange>().FirstOrDefault();
        Assert.NotNull(viewChange);
        var certificate = Assert.Single(viewChange.Prepared);
        Assert.Equal(first.Hash, certificate.Proposal.Block.Hash);
        Assert.Equal(first.Encoded, certificate.Proposal.Block.Encoded);
        Assert.True(h.Check(new SignedMessage(certificate.PrePrepare.Message, certificate.PrePrepare.Signature)).Ok,
            "the pre-prepare put back together from the ledger no longer carries a valid signature");
    }
}
