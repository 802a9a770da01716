using System.Globalization;

namespace Swarm.Node.Cli.Bench;

/// <summary>
/// CPU time of this process by kind of thread, read from <c>/proc/self/task/*/stat</c> (Linux): the trainers'
/// threads (<c>swarm.training-*</c>, with the libtorch workers they start, which inherit the name), the .NET
/// thread pool (every actor but the trainers: consensus, journals, blob copies, the task protocol), the JIT's
/// background compiler, the garbage collector's background thread, and the rest. Threads that ended between two
/// readings are missing from the second; the process total (<c>/proc/self/stat</c>) still counts them, so what no
/// thread explains is reported as "ended threads". Empty on other systems.
/// </summary>
internal sealed class ThreadCpu
{
    public const string Training = "training threads";
    public const string ThreadPool = "thread pool (protocol)";
    public const string Jit = "JIT compiler";
    public const string Gc = "background GC";
    public const string Other = "other threads";
    public const string Ended = "ended threads";

    private static readonly double Tick = 1.0 / 100; // USER_HZ, 100 on every Linux this runs on

    private ThreadCpu(IReadOnlyDictionary<int, (string Kind, double Seconds)> threads, double total)
    {
        Threads = threads;
        Total = total;
    }

    private IReadOnlyDictionary<int, (string Kind, double Seconds)> Threads { get; }

    private double Total { get; }

    public static ThreadCpu Read()
    {
        var threads = new Dictionary<int, (string, double)>();
        if (!OperatingSystem.IsLinux())
        {
            return new ThreadCpu(threads, 0);
        }
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var id = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                threads[id] = (KindOf(name), SecondsOf(File.ReadAllText(Path.Combine(task, "stat"))));
            }
            catch (IOException)
            {
                // The thread ended while being read.
            }
        }
        return new ThreadCpu(threads, SecondsOf(File.ReadAllText("/proc/self/stat")));
    }

    /// <summary>CPU seconds spent by each kind of thread between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static IReadOnlyList<(string Kind, double Seconds)> Between(ThreadCpu before, ThreadCpu after)
    {
        var spent = new Dictionary<string, double>();
        foreach (var (id, (kind, seconds)) in after.Threads)
        {
            var earlier = before.Threads.TryGetValue(id, out var b) ? b.Seconds : 0;
            spent[kind] = spent.GetValueOrDefault(kind) + seconds - earlier;
        }
        var explained = spent.Values.Sum();
        spent[Ended] = Math.Max(0, after.Total - before.Total - explained);
        return [.. new[] { Training, ThreadPool, Jit, Gc, Other, Ended }.Select(k => (k, spent.GetValueOrDefault(k)))];
    }

    private static string KindOf(string name) => name switch
    {
        _ when name.StartsWith("swarm.training", StringComparison.Ordinal) => Training,
        _ when name.StartsWith(".NET TP Worker", StringComparison.Ordinal) => ThreadPool,
        _ when name.StartsWith(".NET Tiered", StringComparison.Ordinal) => Jit,
        _ when name.StartsWith(".NET BGC", StringComparison.Ordinal) || name.StartsWith(".NET Server GC", StringComparison.Ordinal) => Gc,
        _ => Other,
    };

    /// <summary>utime + stime (fields 14 and 15; counted after the command name, which may hold spaces).</summary>
    private static double SecondsOf(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * Tick;
    }
}
