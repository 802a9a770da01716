using System.Text;
using Swarm.Consensus.Encoding;
using Swarm.Consensus.Storage;
using Swarm.Tasks;

namespace Swarm.Node.Tasks;

/// <summary>A task this node took part in: who submitted it, its canonical spec bytes, and whether it started here
/// (false: this node consented and waits for the start).</summary>
public sealed record JournaledTask(string Submitter, byte[] SpecBytes, bool Started = true)
{
    /// <summary>Consented: this node's own sample declaration; started: every participant's, as the start carried
    /// them. Empty for records written before declarations existed.</summary>
    public IReadOnlyList<SampleDeclaration> Declarations { get; init; } = [];
}

/// <summary>A start this node decided as submitter, with the participants that have not acknowledged it yet.</summary>
public sealed record JournaledStartDecision(string TaskId, byte[] Digest, IReadOnlyList<string> Unacknowledged)
{
    /// <summary>The sample declarations every start of the task carries.</summary>
    public IReadOnlyList<SampleDeclaration> Declarations { get; init; } = [];
}

/// <summary>The tasks a node has consented to or started, and the start decisions it still resends, kept in the
/// node's store so that a restarted node resumes each task (its peer then rebuilds the task's state from the
/// task's own chain), still takes a start it consented to, and resends its own starts.</summary>
public interface ITaskJournal
{
    /// <summary>Records a task (consented or started); a later call for the same id replaces the record.</summary>
    void Started(string taskId, JournaledTask task);

    /// <summary>A consented task that will not start here (aborted, timed out, cancelled): not resumed.</summary>
    void Forgotten(string taskId);

    /// <summary>Records (or, with no participant left, clears) this node's start decision of a task.</summary>
    void StartDecision(JournaledStartDecision decision);

    IReadOnlyList<JournaledTask> Load();

    IReadOnlyList<JournaledStartDecision> LoadStartDecisions();
}

/// <summary><see cref="ITaskJournal"/> over the node's ledger store state: an index of task ids, one entry per
/// task and one per open start decision. Each write is one atomic state write of the store; an empty entry is a
/// removed one (the store has no delete).</summary>
public sealed class StoreTaskJournal(ILedgerStore store) : ITaskJournal
{
    private const string IndexKey = "tasks/index";
    private const int IdsMax = 100_000;
    private const int DigestBytes = 32;
    private const int ParticipantsMax = 1_000;

    public void Started(string taskId, JournaledTask task)
    {
        var writer = new CanonicalWriter().WriteString(task.Submitter).WriteBytes(task.SpecBytes).WriteByte(task.Started ? (byte)1 : (byte)0);
        // After the started byte, so that records written before declarations existed still read.
        SampleDeclaration.WriteAll(writer, task.Declarations);
        var entry = writer.ToArray();
        store.SaveState("tasks/" + taskId, entry);
        var ids = Ids();
        if (!ids.Contains(taskId))
        {
            ids.Add(taskId);
            store.SaveState(IndexKey, Encoding.UTF8.GetBytes(string.Join('\n', ids)));
        }
    }

    public void Forgotten(string taskId) => store.SaveState("tasks/" + taskId, []);

    public void StartDecision(JournaledStartDecision decision)
    {
        byte[] entry = [];
        if (decision.Unacknowledged.Count > 0)
        {
            var writer = new CanonicalWriter().WriteBytes(decision.Digest).WriteInt32(decision.Unacknowledged.Count);
            foreach (var participant in decision.Unacknowledged)
            {
                writer.WriteString(participant);
            }
            SampleDeclaration.WriteAll(writer, decision.Declarations);
            entry = writer.ToArray();
        }
        store.SaveState("tasks/start/" + decision.TaskId, entry);
    }

    public IReadOnlyList<JournaledTask> Load()
    {
        var tasks = new List<JournaledTask>();
        foreach (var id in Ids())
        {
            if (store.LoadState("tasks/" + id) is not { Length: > 0 } bytes)
            {
                continue;
            }
            try
            {
                var reader = new CanonicalReader(bytes);
                var submitter = reader.ReadString(256);
                var spec = reader.ReadBytes(TaskSpecCodec.SpecBytesMax);
                // Records written before consents were journaled end here: they are started tasks.
                var started = reader.Remaining == 0 || reader.ReadByte() != 0;
                // Records written before sample declarations end here.
                IReadOnlyList<SampleDeclaration> declarations = reader.Remaining == 0 ? [] : SampleDeclaration.ReadAll(ref reader);
                reader.ExpectEnd();
                tasks.Add(new JournaledTask(submitter, spec, started) { Declarations = declarations });
            }
            catch (CanonicalFormatException e)
            {
                throw new LedgerException($"the node's record of task '{id}' is corrupt: {e.Message}");
            }
        }
        return tasks;
    }

    public IReadOnlyList<JournaledStartDecision> LoadStartDecisions()
    {
        var decisions = new List<JournaledStartDecision>();
        foreach (var id in Ids())
        {
            if (store.LoadState("tasks/start/" + id) is not { Length: > 0 } bytes)
            {
                continue;
            }
            try
            {
                var reader = new CanonicalReader(bytes);
                var digest = reader.ReadBytes(DigestBytes);
                var count = reader.ReadCount(ParticipantsMax, "participants");
                var participants = new string[count];
                for (var i = 0; i < count; i++)
                {
                    participants[i] = reader.ReadString(256);
                }
                IReadOnlyList<SampleDeclaration> declarations = reader.Remaining == 0 ? [] : SampleDeclaration.ReadAll(ref reader);
                reader.ExpectEnd();
                decisions.Add(new JournaledStartDecision(id, digest, participants) { Declarations = declarations });
            }
            catch (CanonicalFormatException e)
            {
                throw new LedgerException($"the node's record of its start of task '{id}' is corrupt: {e.Message}");
            }
        }
        return decisions;
    }

    private List<string> Ids() => store.LoadState(IndexKey) is { } index
        ? [.. Encoding.UTF8.GetString(index).Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(IdsMax)]
        : [];
}
