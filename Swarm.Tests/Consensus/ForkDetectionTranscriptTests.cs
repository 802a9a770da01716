using Swarm.Actors.Consensus;
using Swarm.Consensus.Encoding;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus;

/// <summary>Issue 12, finding 4: evidence of two certificates for one height (more than f faulty replicas, or a
/// bug) stops the replica loudly instead of being adopted or crashing it, and a hard state that cannot be read
/// stops the replica before it votes.</summary>
public sealed class ForkDetectionTranscriptTests
{
    /// <summary>Blocks 1 and 2 commit everywhere, with every checkpoint message lost: no checkpoint is stable.</summary>
    private static PbftHarness TwoBlocksWithoutStableCheckpoint()
    {
        var h = new PbftHarness();
        for (var id = 1; id <= 2; id++)
        {
            h.Run(0, new SubmitRequest(PbftHarness.Request(id)));
            h.Pump((_, _, m) => m.Message is not Checkpoint);
        }
        Assert.All(h.Replicas, r => Assert.Equal((2L, 0L), (r.LastExecuted, r.StableSequence)));
        return h;
    }

    private static Checkpoint[] ForgedCheckpoints(Digest hash) =>
        Enumerable.Range(0, 3).Select(i => new Checkpoint(i, 2, hash, 0)).ToArray();

    [Fact]
    public void New_view_whose_checkpoint_contradicts_the_executed_block_is_a_detected_fork()
    {
        var h = TwoBlocksWithoutStableCheckpoint();
        var forged = Digest.Of([1, 2, 3]);
        var proof = ForgedCheckpoints(forged).Select(cp => h.Sign(cp.Sender, cp)).ToArray();
        var viewChanges = Enumerable.Range(0, 3)
            .Select(i => h.Sign(i, new ViewChange(i, 1, 2, forged, 0, proof, []))).ToArray();

        var outputs = h.Deliver(3, h.Sign(1, new NewView(1, 1, viewChanges)));

        var fork = Assert.Single(outputs.OfType<ForkDetected>());
        Assert.Equal(2, fork.Height);
        Assert.Equal((1, true), (h.Replicas[3].ForksDetected, h.Replicas[3].Halted));
        Assert.Equal(0, h.Replicas[3].StableSequence);
    }

    [Fact]
    public void Checkpoint_quorum_for_another_block_than_the_executed_one_halts_the_replica()
    {
        var h = TwoBlocksWithoutStableCheckpoint();
        var forged = Digest.Of([4, 5, 6]);
        var outputs = ForgedCheckpoints(forged).SelectMany(cp => h.Deliver(3, h.Sign(cp.Sender, cp))).ToList();

        Assert.Single(outputs.OfType<ForkDetected>());
        Assert.Equal((1, true), (h.Replicas[3].ForksDetected, h.Replicas[3].Halted));

        // A halted replica acts on nothing: it signs no vote for a fresh proposal.
        h.Run(0, new SubmitRequest(PbftHarness.Request(3)));
        var prePrepare = h.TakeOutbox(0).Single(m => m.Message.Message is PrePrepare).Message;
        Assert.DoesNotContain(h.Deliver(3, prePrepare), o => o is SignRequest);
    }

    [Fact]
    public void A_replica_that_found_a_fork_stays_stopped_after_a_restart()
    {
        var h = TwoBlocksWithoutStableCheckpoint();
        var outputs = ForgedCheckpoints(Digest.Of([7, 8, 9])).SelectMany(cp => h.Deliver(3, h.Sign(cp.Sender, cp))).ToList();
        var persisted = outputs.OfType<PersistState>().Last().State;
        Assert.Contains("two certificates for height 2", persisted.HaltedBecause);
        // The harness keeps the last persisted state as the store would; it survives the codec.
        Assert.True(HardStateCodec.TryDecode(HardStateCodec.Encode(persisted), out var decoded, out var error), error);
        Assert.Equal(persisted.HaltedBecause, decoded!.HaltedBecause);

        var restarted = h.Restart(3);

        Assert.True(restarted.Halted);
        Assert.Equal(persisted.HaltedBecause, restarted.HaltReason);
        h.Run(0, new SubmitRequest(PbftHarness.Request(3)));
        var prePrepare = h.TakeOutbox(0).Single(m => m.Message.Message is PrePrepare).Message;
        Assert.Empty(h.Deliver(3, prePrepare));
        Assert.Empty(restarted.Step(new Tick(60_000)));
    }

    [Fact]
    public void A_hard_state_written_before_forks_were_recorded_decodes_as_a_running_replica()
    {
        var running = HardStateCodec.Encode(new HardState(2, 5, 0, Digest.Of([1]), 0, [], ReplicaMode.Normal, [], null));
        Assert.Equal((4, 0), (running[0], running[^1])); // versions 3 and 4 end with the halt flag (4 differs only in how certificates are tagged)
        var version2 = running[..^1];
        version2[0] = 2;

        Assert.True(HardStateCodec.TryDecode(version2, out var decoded, out var error), error);
        Assert.Null(decoded!.HaltedBecause);
        Assert.Equal((2L, 5L), (decoded.View, decoded.VotedThrough));
        Assert.False(HardStateCodec.TryDecode([.. running[..^1], 2], out _, out error));
        Assert.Contains("halt flag 2", error);
    }

    [Fact]
    public void Undecodable_hard_state_stops_the_replica_with_a_clear_error()
    {
        var h = new PbftHarness();
        var ledger = new InMemoryReplicaLedger();
        ledger.SaveState(HardStateCodec.StoreKey, [2, 0, 0, 1]);

        var error = Assert.Throws<ReplicaStateException>(() => ReplicaHost.Restore(h.Genesis, 1, PbftHarness.Options, ledger));

        Assert.Contains("hard state", error.Message);
    }
}
