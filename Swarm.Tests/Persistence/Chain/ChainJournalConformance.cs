using Akka.Configuration;
using Swarm.Actors.Consensus;
using Swarm.Consensus.Pbft;
using Swarm.Node.Persistence;
using Swarm.Tests.Consensus;

namespace Swarm.Tests.Persistence.Chain;

/// <summary>
/// The contract of a chain actor on a real journal (Akka.Persistence.Sql), run against every store a node can use:
/// what it commits and its hard state come back in the next actor-system life and the replica resumes there; a
/// write the journal fails stops it before anything that depended on the write is sent, and keeps what was
/// committed before; a journal row that does not decode stops recovery with an error naming it, deleting nothing.
/// A subclass supplies a fresh database per test and raw SQL access to it (to break it).
/// </summary>
public abstract class ChainJournalConformance : IDisposable
{
    private readonly ChainNetwork _network = new();

    /// <summary>The journal configuration of this test's database.</summary>
    protected abstract Config Journal { get; }

    /// <summary>Runs SQL on this test's database, bypassing the journal.</summary>
    protected abstract void Execute(string sql);

    protected abstract long Scalar(string sql);

    /// <summary>A SQL literal of a byte string that is no chain journal entry.</summary>
    protected abstract string GarbageBytes { get; }

    [Fact]
    public async Task Blocks_and_hard_state_come_back_in_the_next_life_and_the_replica_resumes()
    {
        ReplicaStatus before;
        IReadOnlyList<string> hashes;
        await using (var life = await ChainLife.StartAsync(_network, Journal))
        {
            Assert.Empty(life.Recovered.Blocks);
            for (var id = 1; id <= 3; id++)
            {
                await life.CommitAsync(_network, PbftHarness.Request(id), height: id);
            }
            // The harness replicas' checkpoint votes for height 2 make it stable, and a snapshot is saved there.
            await _network.RunUntilAsync(() => Scalar("SELECT COUNT(*) FROM snapshot") > 0, "a snapshot at the stable checkpoint");
            before = await life.StatusAsync();
            hashes = [.. life.Committed.Select(c => c.Block.Block.Hash.ToHex())];
        }
        Assert.Equal(3, before.LastCommitted);
        Assert.Equal(2, before.StableCheckpoint);

        await using (var life = await ChainLife.StartAsync(_network, Journal))
        {
            Assert.Equal(hashes, life.Recovered.Blocks.Select(b => b.Block.Hash.ToHex()));
            Assert.Equal(before, await life.StatusAsync());
            await life.CommitAsync(_network, PbftHarness.Request(4), height: 4);
            Assert.Equal(4, (await life.StatusAsync()).LastCommitted);
        }
        var read = await ChainJournalConfig.ReadChainAsync(Journal, _network.Genesis, TimeSpan.FromSeconds(30));
        Assert.Equal(4, read.Count);
        Assert.Equal(hashes, read.Take(3).Select(b => b.Block.Hash.ToHex()));
    }

    [Fact]
    public async Task A_failed_journal_write_stops_the_chain_before_it_sends_what_depended_on_it_and_keeps_the_committed_blocks()
    {
        IReadOnlyList<string> hashes;
        await using (var life = await ChainLife.StartAsync(_network, Journal))
        {
            await life.CommitAsync(_network, PbftHarness.Request(1), height: 1);
            await life.CommitAsync(_network, PbftHarness.Request(2), height: 2);
            hashes = [.. life.Committed.Select(c => c.Block.Block.Hash.ToHex())];
            var sentBefore = _network.Sent.Count;
            Execute("ALTER TABLE journal RENAME TO journal_away");

            life.Chain.Tell(new ChainSubmit(PbftHarness.Request(3)), Akka.Actor.ActorRefs.NoSender);
            await _network.RunUntilAsync(() => life.Drain() && life.Terminated, "the chain's stop on a failed write");

            Assert.Equal(2, life.Height);
            // The harness replicas prepared block 3, but replica 0's vote for it (a commit) needs its prepared
            // certificate in the journal, which the failed write never stored.
            Assert.DoesNotContain(_network.Sent.Skip(sentBefore), m => m is Commit { Sequence: >= 3 });
        }
        Execute("ALTER TABLE journal_away RENAME TO journal");

        await using (var life = await ChainLife.StartAsync(_network, Journal))
        {
            Assert.Equal(hashes, life.Recovered.Blocks.Select(b => b.Block.Hash.ToHex()));
        }
    }

    [Fact]
    public async Task A_journal_row_that_does_not_decode_stops_recovery_with_an_error_naming_it_and_deletes_nothing()
    {
        await using (var life = await ChainLife.StartAsync(_network, Journal))
        {
            await life.CommitAsync(_network, PbftHarness.Request(1), height: 1);
        }
        var rows = Scalar("SELECT COUNT(*) FROM journal");
        var block = Scalar("SELECT MIN(sequence_number) FROM journal WHERE manifest = 'chain-block-1'");
        Execute($"UPDATE journal SET message = {GarbageBytes} WHERE sequence_number = {block}");

        var error = await Assert.ThrowsAsync<ChainJournalException>(() =>
            ChainJournalConfig.ReadChainAsync(Journal, _network.Genesis, TimeSpan.FromSeconds(30)));
        Assert.Contains("chain-block-1", error.Message, StringComparison.Ordinal);
        await using (var life = await ChainLife.StartAsync(_network, Journal))
        {
            Assert.True(life.Terminated);
            Assert.Null(life.Recovered);
        }
        Assert.Equal(rows, Scalar("SELECT COUNT(*) FROM journal"));
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
