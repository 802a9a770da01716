using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus;

/// <summary>Checkpoints, garbage collection, watermarks (§4.3) and state transfer of a replica that fell behind.</summary>
public sealed class CheckpointTranscriptTests
{
    private static void Commit(PbftHarness h, int count, long firstId = 1, params int[] isolated)
    {
        for (var i = 0; i < count; i++)
        {
            h.Run(0, new SubmitRequest(PbftHarness.Request(firstId + i)));
            h.Pump(isolated);
        }
    }

    [Fact]
    public void Checkpoint_with_a_quorum_becomes_stable_and_the_log_below_it_is_discarded()
    {
        var h = new PbftHarness();
        var k = PbftHarness.Parameters.CheckpointIntervalBlocks;
        Commit(h, k - 1);
        Assert.All(h.Replicas, r => Assert.Equal(0, r.StableSequence));
        var logBefore = h.Replicas[2].LogEntries;
        Assert.True(logBefore > 0);
        Commit(h, 1, firstId: k);
        Assert.All(h.Replicas, r => Assert.Equal(k, r.StableSequence));
        Assert.Equal(0, h.Replicas[2].LogEntries);
    }

    [Fact]
    public void Prepare_outside_watermarks_is_ignored()
    {
        var h = new PbftHarness();
        var high = PbftHarness.Parameters.WatermarkWindowBlocks;
        var hash = h.Genesis.Hash;
        var before = h.Replicas[1].LogEntries;
        Assert.Empty(h.Deliver(1, h.Sign(2, new Prepare(2, 0, high + 1, hash))));
        Assert.Equal(before, h.Replicas[1].LogEntries);
        Assert.Empty(h.Deliver(1, h.Sign(2, new Prepare(2, 0, 0, hash))));
        Assert.Equal(before, h.Replicas[1].LogEntries);
        // Inside the window the same prepare is logged.
        Assert.Empty(h.Deliver(1, h.Sign(2, new Prepare(2, 0, high, hash))));
        Assert.Equal(before + 1, h.Replicas[1].LogEntries);
    }

    [Fact]
    public void Lagging_replica_catches_up_by_fetching_certified_blocks()
    {
        var h = new PbftHarness();
        var k = PbftHarness.Parameters.CheckpointIntervalBlocks;
        Commit(h, 3 * k, isolated: 3);
        Assert.Equal(0, h.Replicas[3].LastExecuted);
        Assert.All(h.Replicas.Take(3), r => Assert.Equal(3 * k, r.LastExecuted));

        // Replica 3 hears the checkpoint of the others: a quorum proves height 3K, so it fetches blocks from a peer.
        var checkpoints = Enumerable.Range(0, 3)
            .Select(i => h.Sign(i, new Checkpoint(i, 3 * k, h.Replicas[i].LastExecutedHash, h.Ledgers[i][^1].Block.TimestampMs)))
            .ToArray();
        h.Deliver(3, checkpoints[0]);
        h.Deliver(3, checkpoints[1]);
        var outputs = h.Deliver(3, checkpoints[2]);
        var fetch = Assert.IsType<FetchBlocks>(Assert.IsType<SignRequest>(Assert.Single(outputs, o => o is SignRequest)).Message);
        Assert.Equal((1L, 3L * k), (fetch.FromHeight, fetch.ToHeight));

        // The peer serves the blocks with their certificates; replica 3 checks and executes them.
        h.Pump();
        Assert.Equal(3 * k, h.Replicas[3].LastExecuted);
        Assert.Equal(h.Replicas[0].LastExecutedHash, h.Replicas[3].LastExecutedHash);
        Assert.Equal(3 * k, h.Replicas[3].StableSequence);
        Assert.Equal(h.Ledgers[0].Select(b => b.Block.Hash), h.Ledgers[3].Select(b => b.Block.Hash));
    }

    [Fact]
    public void A_replica_far_behind_catches_up_from_the_commits_of_one_later_block_without_a_checkpoint()
    {
        // Replica 3 misses more than a watermark window of blocks, every checkpoint included (it was down). Then the
        // others order one more block, whose height is no checkpoint: its commits are all replica 3 ever hears. It
        // must fetch, or it stays behind until some later request makes a checkpoint (what a restarted task site
        // saw after the task's last round: the others had nothing left to order).
        var h = new PbftHarness();
        var window = PbftHarness.Parameters.WatermarkWindowBlocks;
        var k = PbftHarness.Parameters.CheckpointIntervalBlocks;
        var missed = 2 * window + 1;
        while ((missed + 1) % k == 0)
        {
            missed++;
        }
        Commit(h, missed, isolated: 3);
        Assert.Equal(0, h.Replicas[3].LastExecuted);

        Commit(h, 1, firstId: missed + 1);
        Assert.Equal(missed + 1, h.Replicas[0].LastExecuted);
        Assert.Equal(missed + 1, h.Replicas[3].LastExecuted);
        Assert.Equal(h.Ledgers[0].Select(b => b.Block.Hash), h.Ledgers[3].Select(b => b.Block.Hash));
    }

    [Fact]
    public void Commits_far_ahead_from_f_replicas_alone_start_no_fetch()
    {
        // A faulty replica (f = 1) claiming a commit far ahead makes a replica fetch nothing: it takes f + 1 senders.
        var h = new PbftHarness();
        var far = 10L * PbftHarness.Parameters.WatermarkWindowBlocks;
        var outputs = h.Deliver(1, h.Sign(2, new Commit(2, 0, far, h.Genesis.Hash)));
        Assert.DoesNotContain(outputs, o => o is SignRequest { Message: FetchBlocks });
        outputs = h.Deliver(1, h.Sign(3, new Commit(3, 0, far + 5, h.Genesis.Hash)));
        var fetch = Assert.IsType<FetchBlocks>(Assert.Single(outputs.OfType<SignRequest>()).Message);
        // The target is the lower of the two claims: at least one of them comes from a correct replica.
        Assert.Equal(1, fetch.FromHeight);
        Assert.True(fetch.ToHeight <= far);
    }

    [Fact]
    public void Fetched_block_with_too_few_commit_votes_is_rejected()
    {
        var h = new PbftHarness();
        Commit(h, 1, isolated: 3);
        var good = h.Ledgers[0][0];
        var weak = good with { Certificate = good.Certificate with { Votes = good.Certificate.Votes.Take(2).ToArray() } };
        var outputs = h.Deliver(3, h.Sign(1, new BlocksReply(1, [weak])));
        Assert.Contains("quorum is 3", Assert.IsType<Rejected>(Assert.Single(outputs)).Reason);
        Assert.Equal(0, h.Replicas[3].LastExecuted);
        h.Deliver(3, h.Sign(1, new BlocksReply(1, [good])));
        Assert.Equal(1, h.Replicas[3].LastExecuted);
    }
}
