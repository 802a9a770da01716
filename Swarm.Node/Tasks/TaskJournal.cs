using System.Text;
using Swarm.Consensus.Encoding;
using Swarm.Consensus.Storage;
using Swarm.Tasks;

namespace Swarm.Node.Tasks;

/// <summary>A task this node started: who submitted it and its canonical spec bytes.</summary>
public sealed record JournaledTask(string Submitter, byte[] SpecBytes);

/// <summary>The tasks a node has started, kept in the node's store so that a restarted node resumes each of them
/// (its peer then rebuilds the task's state from the task's own chain).</summary>
public interface ITaskJournal
{
    void Started(string taskId, JournaledTask task);

    IReadOnlyList<JournaledTask> Load();
}

/// <summary><see cref="ITaskJournal"/> over the node's ledger store state: an index of task ids and one entry per
/// task. Each write is one atomic state write of the store.</summary>
public sealed class StoreTaskJournal(ILedgerStore store) : ITaskJournal
{
    private const string IndexKey = "tasks/index";
    private const int IdsMax = 100_000;

    public void Started(string taskId, JournaledTask task)
    {
        var entry = new CanonicalWriter().WriteString(task.Submitter).WriteBytes(task.SpecBytes).ToArray();
        store.SaveState("tasks/" + taskId, entry);
        var ids = Ids();
        if (!ids.Contains(taskId))
        {
            ids.Add(taskId);
            store.SaveState(IndexKey, Encoding.UTF8.GetBytes(string.Join('\n', ids)));
        }
    }

    public IReadOnlyList<JournaledTask> Load()
    {
        var tasks = new List<JournaledTask>();
        foreach (var id in Ids())
        {
            if (store.LoadState("tasks/" + id) is not { } bytes)
            {
                continue;
            }
            try
            {
                var reader = new CanonicalReader(bytes);
                tasks.Add(new JournaledTask(reader.ReadString(256), reader.ReadBytes(TaskSpecCodec.SpecBytesMax)));
            }
            catch (CanonicalFormatException e)
            {
                throw new LedgerException($"the node's record of task '{id}' is corrupt: {e.Message}");
            }
        }
        return tasks;
    }

    private List<string> Ids() => store.LoadState(IndexKey) is { } index
        ? [.. Encoding.UTF8.GetString(index).Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(IdsMax)]
        : [];
}
