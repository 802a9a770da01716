using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;
using Swarm.Tests.Consensus.Simulation;

namespace Swarm.Tests.Consensus;

/// <summary>The edge writes the hard state before any message that depends on it leaves (persist before send),
/// even though it writes only the last of several hard states of one run.</summary>
public sealed class ReplicaHostPersistenceTests
{
    private sealed class RecordingTransport(InMemoryReplicaLedger ledger) : IReplicaTransport
    {
        public List<(PbftMessage Message, HardState? Stored)> Sent { get; } = [];

        public void Send(int from, int to, SignedMessage message) => Record(message);

        public void Broadcast(int from, SignedMessage message) => Record(message);

        private void Record(SignedMessage message)
        {
            HardState? stored = null;
            if (ledger.LoadState(HardStateCodec.StoreKey) is { } bytes)
            {
                Assert.True(HardStateCodec.TryDecode(bytes, out stored, out var error), error);
            }
            Sent.Add((message.Message, stored));
        }
    }

    [Fact]
    public void Vote_and_prepared_certificate_are_stored_before_the_prepare_and_the_commit_leave()
    {
        var h = new PbftHarness();
        var ledger = new InMemoryReplicaLedger();
        var transport = new RecordingTransport(ledger);
        var host = new ReplicaHost(new Replica(h.Genesis, 1, PbftHarness.Options), h.Genesis.ChainId,
            FakeSignatureScheme.CreateSigner(1), h.Verifier, PbftHarness.Clients, ledger, transport);
        var block = new Block(1, h.Genesis.Hash, 0, 0, 0, [PbftHarness.Request(1)]);

        host.Deliver(h.Sign(0, new PrePrepare(0, 0, 1, block)));
        host.Deliver(h.Sign(2, new Prepare(2, 0, 1, block.Hash)));

        var (prepare, atPrepare) = Assert.Single(transport.Sent, s => s.Message is Prepare);
        Assert.Equal(1, atPrepare!.VotedThrough);
        var (commit, atCommit) = Assert.Single(transport.Sent, s => s.Message is Commit);
        Assert.Equal(block.Hash, Assert.Single(atCommit!.PreparedCertificates).Proposal.Block.Hash);
    }

    [Fact]
    public void A_deferring_host_sends_nothing_until_its_batch_is_released_and_the_batch_holds_what_the_messages_need()
    {
        var h = new PbftHarness();
        var view = new InMemoryReplicaLedger();
        var transport = new RecordingTransport(new InMemoryReplicaLedger());
        var host = ReplicaHost.Deferring(new Replica(h.Genesis, 1, PbftHarness.Options), h.Genesis.ChainId,
            FakeSignatureScheme.CreateSigner(1), h.Verifier, PbftHarness.Clients, view, transport);
        var block = new Block(1, h.Genesis.Hash, 0, 0, 0, [PbftHarness.Request(1)]);

        host.Deliver(h.Sign(0, new PrePrepare(0, 0, 1, block)));
        var first = host.TakeBatch();
        Assert.NotNull(first);
        Assert.Empty(transport.Sent);
        Assert.True(HardStateCodec.TryDecode(first!.HardState!, out var voted, out _));
        Assert.Equal(1, voted!.VotedThrough);
        first.Release();
        Assert.IsType<Prepare>(Assert.Single(transport.Sent).Message);

        host.Deliver(h.Sign(2, new Prepare(2, 0, 1, block.Hash)));
        var second = host.TakeBatch();
        Assert.Single(transport.Sent);
        Assert.True(HardStateCodec.TryDecode(second!.HardState!, out var prepared, out _));
        Assert.Equal(block.Hash, Assert.Single(prepared!.PreparedCertificates).Proposal.Block.Hash);
        second.Release();
        Assert.IsType<Commit>(transport.Sent[^1].Message);
    }

    [Fact]
    public void A_deferring_host_refuses_to_step_before_its_owner_took_the_last_batch()
    {
        var h = new PbftHarness();
        var host = ReplicaHost.Deferring(new Replica(h.Genesis, 1, PbftHarness.Options), h.Genesis.ChainId,
            FakeSignatureScheme.CreateSigner(1), h.Verifier, PbftHarness.Clients, new InMemoryReplicaLedger(), new RecordingTransport(new InMemoryReplicaLedger()));
        var block = new Block(1, h.Genesis.Hash, 0, 0, 0, [PbftHarness.Request(1)]);
        host.Deliver(h.Sign(0, new PrePrepare(0, 0, 1, block)));

        Assert.Throws<Swarm.Consensus.InvariantViolationException>(() => host.Deliver(h.Sign(2, new Prepare(2, 0, 1, block.Hash))));
    }
}
