using Swarm.Consensus.Storage;
using Swarm.Node.Tasks;

namespace Swarm.Tests.Tasks;

public sealed class TaskJournalTests
{
    [Fact]
    public void Started_tasks_survive_reopening_the_store_once_each_and_in_order()
    {
        var disk = new InMemoryLedgerDisk();
        using (var store = new InMemoryLedgerStore(disk, "node"))
        {
            var journal = new StoreTaskJournal(store);
            journal.Started("t1", new JournaledTask("node-a", [1, 2, 3]));
            journal.Started("t2", new JournaledTask("node-b", [4]));
            journal.Started("t1", new JournaledTask("node-a", [1, 2, 3]));
        }
        using var reopened = new InMemoryLedgerStore(disk, "node");

        var tasks = new StoreTaskJournal(reopened).Load();

        Assert.Equal(["node-a", "node-b"], tasks.Select(t => t.Submitter));
        Assert.Equal([1, 2, 3], tasks[0].SpecBytes);
        Assert.Empty(new StoreTaskJournal(new InMemoryLedgerStore("other")).Load());
    }

    [Fact]
    public void Sample_declarations_survive_reopening_the_store_with_the_task_and_the_start_decision()
    {
        var disk = new InMemoryLedgerDisk();
        IReadOnlyList<Swarm.Tasks.SampleDeclaration> declarations =
            [new("t1", "node-a", 100, [1, 2]), new("t1", "node-b", 4_708, [3, 4])];
        using (var store = new InMemoryLedgerStore(disk, "node"))
        {
            var journal = new StoreTaskJournal(store);
            journal.Started("t1", new JournaledTask("node-a", [1, 2, 3]) { Declarations = declarations });
            journal.Started("t2", new JournaledTask("node-b", [4], Started: false) { Declarations = [declarations[1]] });
            journal.StartDecision(new JournaledStartDecision("t1", new byte[32], ["node-b"]) { Declarations = declarations });
        }
        using var reopened = new InMemoryLedgerStore(disk, "node");
        var reread = new StoreTaskJournal(reopened);

        var tasks = reread.Load();
        var decision = Assert.Single(reread.LoadStartDecisions());

        Assert.Equal([100L, 4_708L], tasks[0].Declarations.Select(d => d.SampleCount));
        Assert.Equal([3, 4], tasks[0].Declarations[1].Signature);
        Assert.Equal("node-b", Assert.Single(tasks[1].Declarations).Site);
        Assert.False(tasks[1].Started);
        Assert.Equal(["node-a", "node-b"], decision.Declarations.Select(d => d.Site));
    }

    [Fact]
    public void A_record_written_before_declarations_existed_still_reads()
    {
        using var store = new InMemoryLedgerStore("node");
        var journal = new StoreTaskJournal(store);
        journal.Started("t1", new JournaledTask("node-a", [1]));
        store.SaveState("tasks/t1", new Swarm.Consensus.Encoding.CanonicalWriter().WriteString("node-a").WriteBytes([1]).WriteByte(1).ToArray());

        var task = Assert.Single(journal.Load());

        Assert.True(task.Started);
        Assert.Empty(task.Declarations);
    }

    [Fact]
    public void A_corrupt_record_is_reported_naming_the_task()
    {
        using var store = new InMemoryLedgerStore("node");
        var journal = new StoreTaskJournal(store);
        journal.Started("t1", new JournaledTask("node-a", [1]));
        store.SaveState("tasks/t1", [0, 0, 0, 9]);

        var error = Assert.Throws<LedgerException>(() => journal.Load());

        Assert.Contains("task 't1' is corrupt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Consents_and_open_start_decisions_survive_reopening_the_store_until_forgotten_or_acknowledged()
    {
        var disk = new InMemoryLedgerDisk();
        byte[] digest = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
        using (var store = new InMemoryLedgerStore(disk, "node"))
        {
            var journal = new StoreTaskJournal(store);
            journal.Started("t1", new JournaledTask("node-a", [1], Started: false));
            journal.Started("t2", new JournaledTask("node-a", [2], Started: false));
            journal.Started("t3", new JournaledTask("node-b", [3]));
            journal.Forgotten("t2");
            journal.StartDecision(new JournaledStartDecision("t3", digest, ["node-b", "node-c"]));
            journal.StartDecision(new JournaledStartDecision("t3", digest, ["node-c"]));
            journal.Started("t4", new JournaledTask("node-b", [4]));
            journal.StartDecision(new JournaledStartDecision("t4", digest, ["node-c"]));
            journal.StartDecision(new JournaledStartDecision("t4", [], []));
        }
        using var reopened = new InMemoryLedgerStore(disk, "node");
        var journalAgain = new StoreTaskJournal(reopened);

        Assert.Equal([("node-a", false), ("node-b", true), ("node-b", true)], journalAgain.Load().Select(t => (t.Submitter, t.Started)));
        var decision = Assert.Single(journalAgain.LoadStartDecisions());
        Assert.Equal("t3", decision.TaskId);
        Assert.Equal(digest, decision.Digest);
        Assert.Equal(["node-c"], decision.Unacknowledged);
    }
}
