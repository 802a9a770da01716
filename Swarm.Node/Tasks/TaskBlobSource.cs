using System.Collections.Concurrent;
using Swarm.Actors.Tasks;
using Swarm.Node.Blobs;

namespace Swarm.Node.Tasks;

/// <summary>The blobs a node serves to its peers: those of its tasks, each only to that task's participants. An
/// update is a site's private training result; a consortium member that is not in the task must not read it, even
/// knowing its hash.</summary>
public sealed class TaskBlobSource : IBlobSource
{
    private readonly ConcurrentDictionary<string, (IReadOnlySet<string> Participants, DirectoryTaskBlobs Blobs)> _tasks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Peer, string Hash), DirectoryTaskBlobs> _exports = new();

    /// <summary>Serves <paramref name="blobs"/> of task <paramref name="taskId"/> to <paramref name="participants"/>
    /// from now on (again after a restart: the task manager relaunches the task's peer).</summary>
    public void Register(string taskId, IEnumerable<string> participants, DirectoryTaskBlobs blobs) =>
        _tasks[taskId] = (participants.ToHashSet(StringComparer.Ordinal), blobs);

    /// <summary>Serves <paramref name="hashes"/> of <paramref name="blobs"/> to <paramref name="peer"/> although it is not a
    /// participant: the proof and the model an exporting site offered to an importer its chain's grant lets them out to.</summary>
    public void AllowExport(string peer, DirectoryTaskBlobs blobs, IEnumerable<string> hashes)
    {
        foreach (var hash in hashes)
        {
            _exports[(peer, hash)] = blobs;
        }
    }

    public string? PathFor(string peer, string hash)
    {
        if (_exports.TryGetValue((peer, hash), out var exported) && exported.FileOf(hash) is { } exportedPath)
        {
            return exportedPath;
        }
        foreach (var (participants, blobs) in _tasks.Values)
        {
            if (participants.Contains(peer) && blobs.FileOf(hash) is { } path)
            {
                return path;
            }
        }
        return null;
    }
}
