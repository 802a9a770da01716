using System.Globalization;
using Swarm.Node.Tasks;

namespace Swarm.Node.Cli;

/// <summary>The node's chains as <c>swarm task list</c> and <c>swarm status</c> print them: one line per task with its
/// state, round, chain height, the timestamp of its latest committed block, and its members.</summary>
public static class ChainTable
{
    public static void Write(IReadOnlyList<TaskInfo> tasks, TextWriter output, bool withDetail)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"{"TASK",-24} {"STATE",-16} {"ROUND",9} {"HEIGHT",7} {"LAST BLOCK (UTC)",-20} {"SUBMITTER",-16} {"MEMBERS",-32}{(withDetail ? " DETAIL" : "")}");
        foreach (var task in tasks)
        {
            var p = task.Progress;
            var members = string.Join(",", task.Participants);
            var line = $"{task.TaskId,-24} {p.State,-16} {$"{p.Round}/{p.Rounds}",9} {p.ChainHeight,7} {LastBlock(p.LastBlockAt),-20} {task.Submitter,-16} {members,-32}";
            output.WriteLine(withDetail && p.Detail is not null ? $"{line} {p.Detail}" : line.TrimEnd());
        }
    }

    /// <summary>The block's timestamp to the second, or "-" before the first block.</summary>
    public static string LastBlock(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
}
