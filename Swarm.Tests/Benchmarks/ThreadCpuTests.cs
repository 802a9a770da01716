using Swarm.Node.Cli.Bench;

namespace Swarm.Tests.Benchmarks;

/// <summary>The round bench's CPU accounting: work done on a trainer-named thread is counted as training, and the
/// CPU of a thread that ended between the two readings is still counted (as "ended threads").</summary>
public sealed class ThreadCpuTests
{
    [Fact]
    public void A_trainer_thread_s_work_is_counted_as_training_and_an_ended_thread_s_work_is_not_lost()
    {
        Assert.True(OperatingSystem.IsLinux(), "/proc is read on Linux, where the bench runs");
        var before = ThreadCpu.Read();
        var release = new ManualResetEventSlim();
        var trainer = new Thread(() =>
        {
            SpinCpu(0.4);
            release.Wait();
        }) { Name = "swarm.training-dispatcher_9" };
        var ended = new Thread(() => SpinCpu(0.4)) { Name = "scratch" };
        trainer.Start();
        ended.Start();
        ended.Join();
        // The trainer spun, and waits while the second reading sees it alive.
        while (trainer.ThreadState == ThreadState.Running)
        {
            Thread.Sleep(10);
        }
        var spent = ThreadCpu.Between(before, ThreadCpu.Read()).ToDictionary(k => k.Kind, k => k.Seconds);
        release.Set();
        trainer.Join();

        Assert.InRange(spent[ThreadCpu.Training], 0.35, 2.0);
        Assert.True(spent[ThreadCpu.Ended] + spent[ThreadCpu.Other] >= 0.35,
            $"the ended thread's 0.4 s went missing: ended {spent[ThreadCpu.Ended]:F2} s, other {spent[ThreadCpu.Other]:F2} s");
    }

    /// <summary>Works until this thread has used <paramref name="seconds"/> of CPU (its own count in /proc), so that
    /// a loaded machine stretches the wall time, not the amount counted.</summary>
    private static void SpinCpu(double seconds)
    {
        var x = 0UL;
        while (OwnCpuSeconds() < seconds)
        {
            for (var i = 0; i < 1_000_000; i++)
            {
                x = x * 6364136223846793005UL + 1442695040888963407UL;
            }
        }
        GC.KeepAlive(x);
    }

    private static double OwnCpuSeconds()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }
}
