using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus;

/// <summary>Issue 12, finding 3: a checkpoint is stable only on a quorum of messages that match in sequence,
/// digest and timestamp (Castro and Liskov, TOCS 2002, §4.3: 2f + 1 checkpoint messages "with the same sequence
/// number n and digest d"; here the timestamp belongs to the digest, since a new primary builds on it).</summary>
public sealed class ForgedCheckpointTranscriptTests
{
    [Fact]
    public void Early_forged_checkpoint_timestamp_does_not_spoil_the_stable_checkpoint_or_the_view_change()
    {
        var h = new PbftHarness();
        // Blocks 1 and 2 commit everywhere; every checkpoint message to replica 1 is held back.
        for (var id = 1; id <= 2; id++)
        {
            h.Run(0, new SubmitRequest(PbftHarness.Request(id)));
            h.Pump((_, to, m) => !(to == 1 && m.Message is Checkpoint));
        }
        Assert.Equal(2, h.Replicas[1].LastExecuted);
        Assert.Equal(0, h.Replicas[1].StableSequence);
        var hash = h.Replicas[1].LastExecutedHash;
        var timestamp = h.Ledgers[1][^1].Block.TimestampMs;

        // Byzantine replica 3 gets its checkpoint in first, with the right digest and another timestamp.
        Assert.Empty(h.Deliver(1, h.Sign(3, new Checkpoint(3, 2, hash, timestamp - 1))).OfType<Rejected>());
        h.Deliver(1, h.Sign(0, new Checkpoint(0, 2, hash, timestamp)));
        h.Deliver(1, h.Sign(2, new Checkpoint(2, 2, hash, timestamp)));
        Assert.Equal(2, h.Replicas[1].StableSequence);
        Assert.Equal(timestamp, h.HardStates[1]!.StableTimestampMs);

        // Replica 1's view change carries that checkpoint; its peers and replica 1 itself accept it.
        h.Deliver(1, h.Sign(2, new ViewChange(2, 1, 0, h.Genesis.Hash, 0, [], [])));
        h.Deliver(1, h.Sign(3, new ViewChange(3, 1, 0, h.Genesis.Hash, 0, [], [])));
        var viewChange = h.TakeOutbox(1).Single(m => m.Message.Message is ViewChange).Message;
        Assert.Equal(2, ((ViewChange)viewChange.Message).StableSequence);
        Assert.All(((ViewChange)viewChange.Message).CheckpointProof, cp => Assert.Equal(timestamp, ((Checkpoint)cp.Message).TimestampMs));
        Assert.Empty(h.Deliver(2, viewChange).OfType<Rejected>());
    }
}
