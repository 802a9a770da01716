using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.TestKit;
using Swarm.Actors.Consensus;
using Swarm.Consensus.Pbft;
using Swarm.Tests.Consensus;

namespace Swarm.Tests.Persistence.Chain;

/// <summary>
/// Persist before send on the chain actor, watched from inside the journal: Akka.Persistence.TestKit's test journal
/// runs an interceptor on every write, which holds the write back a little (so a message sent without waiting for
/// it would leave first) and then records what the journal holds. Each message replica 0 sends, and each commit it
/// reports to its parent, is checked against that record at the moment it leaves.
/// </summary>
public sealed class ChainPersistBeforeSendTests
{
    private static readonly Config TestJournal = ConfigurationFactory.ParseString("""
        akka.persistence {
          journal {
            plugin = "akka.persistence.journal.test"
            test { class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit", plugin-dispatcher = "akka.actor.default-dispatcher" }
          }
          snapshot-store {
            plugin = "akka.persistence.snapshot-store.test"
            test { class = "Akka.Persistence.TestKit.TestSnapshotStore, Akka.Persistence.TestKit", plugin-dispatcher = "akka.actor.default-dispatcher" }
          }
        }
        """);

    /// <summary>What the journal has stored so far (updated by the interceptor once a write is let through).</summary>
    private sealed class StoredSoFar : IJournalInterceptor
    {
        private readonly Lock _lock = new();

        public long Height { get; private set; }

        public HardState? State { get; private set; }

        /// <summary>The blocks stored so far: a state names the blocks of its certificates that are in the journal.</summary>
        private readonly Dictionary<long, Swarm.Consensus.Blocks.Block> _blocks = [];

        public async Task InterceptAsync(IPersistentRepresentation message)
        {
            await Task.Delay(15);
            lock (_lock)
            {
                switch (message.Payload)
                {
                    case ChainBlockAppended block:
                        Height = Math.Max(Height, block.Block.Block.Height);
                        _blocks[block.Block.Block.Height] = block.Block.Block;
                        break;
                    case ChainStateSaved saved:
                        Assert.True(HardStateCodec.TryDecode(saved.HardState, _blocks.GetValueOrDefault, out var state, out var error), error);
                        State = state;
                        break;
                }
            }
        }

        /// <summary>Why <paramref name="message"/> may not leave yet, or null when what it depends on is stored.</summary>
        public string? Missing(PbftMessage message)
        {
            lock (_lock)
            {
                return message switch
                {
                    PrePrepare p when State is null || State.VotedThrough < p.Sequence => $"pre-prepare {p.Sequence} before the vote was stored",
                    Commit c when Height < c.Sequence && (State is null || State.PreparedCertificates.All(x => x.Proposal.Sequence != c.Sequence))
                        => $"commit {c.Sequence} before its prepared certificate was stored",
                    _ => null,
                };
            }
        }
    }

    [Fact]
    public async Task Every_message_and_commit_report_leaves_only_after_what_it_depends_on_is_in_the_journal()
    {
        var network = new ChainNetwork();
        var stored = new StoredSoFar();
        var violations = new List<string>();
        network.DurableAtSend = message =>
        {
            if (stored.Missing(message) is { } missing)
            {
                lock (violations)
                {
                    violations.Add(missing);
                }
            }
        };
        await using var life = await ChainLife.StartAsync(network, TestJournal);
        var journal = Akka.Persistence.TestKit.TestJournal.FromRef(Akka.Persistence.Persistence.Instance.Apply(life.System).JournalFor(null));
        await journal.OnWrite.SetInterceptorAsync(stored);

        for (var id = 1; id <= 4; id++)
        {
            await life.CommitAsync(network, PbftHarness.Request(id), height: id);
            Assert.True(life.Height <= stored.Height, $"height {life.Height} reported to the parent with {stored.Height} stored");
        }

        Assert.Empty(violations);
        Assert.True(network.Sent.Count(m => m is Commit) >= 4, $"only {network.Sent.Count(m => m is Commit)} commits sent");
        Assert.True(network.Sent.Count(m => m is PrePrepare) >= 4);
    }
}
