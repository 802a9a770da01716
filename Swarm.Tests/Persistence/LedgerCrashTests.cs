using System.Diagnostics;
using System.Globalization;
using Swarm.Consensus.Storage;
using Swarm.Node.Persistence;

namespace Swarm.Tests.Persistence;

/// <summary>
/// Crash safety for real: a child process appends blocks in a loop and is killed with SIGKILL; reopening must show
/// a prefix of whole, verified blocks that contains every append the child saw return, and appending must go on
/// from there. Rounds alternate between a kill at a random point of the append loop and a kill exactly inside an
/// append's transaction (row written, not committed). The seed is in every failure message.
/// </summary>
public sealed class LedgerCrashTests : IDisposable
{
    private const int KillRounds = 4;
    // How far past the kill point a writer may run before it waits to be killed: on a fast, idle machine the
    // writer outruns the kill, and a fixed overall bound let it finish the chain in the first round.
    private const long RunAheadMax = 64;
    private static readonly TimeSpan ChildLineTimeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new();
    private readonly int _seed = Random.Shared.Next();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_sqlite_writer_killed_mid_append_leaves_a_prefix_of_whole_blocks()
    {
        var path = Path.Combine(_directory.Path, "ledger.db");
        KillAndReopen("sqlite", path, () => SqliteLedgerStore.Open(path, "task-a"));
    }

    [Fact]
    public void A_postgres_writer_killed_mid_append_leaves_a_prefix_of_whole_blocks()
    {
        using var database = new PostgresTestDatabase();
        KillAndReopen("postgres", database.ConnectionString, () => PostgresLedgerStore.Open(database.ConnectionString, "task-a"));
    }

    private void KillAndReopen(string kind, string target, Func<ILedgerStore> open)
    {
        var random = new Random(_seed);
        long stored = -1;
        for (var round = 0; round < KillRounds; round++)
        {
            var killAt = stored + 2 + random.Next(12);
            var midTransaction = round % 2 == 1;
            var reported = RunChildUntilKilled(kind, target, killAt, midTransaction, $"round {round}");
            using var store = open();
            var head = store.Head;
            Assert.NotNull(head);
            Assert.True(head.Height == reported || (!midTransaction && head.Height == reported + 1),
                $"seed {_seed} round {round}: the child saw block {reported} committed, but the reopened head is {head.Height}");
            AssertWholeChain(store, head.Height, round);
            stored = head.Height;
        }
        using var final = open();
        var next = LedgerCrashWriter.Block(final.Head, _seed);
        final.Append(next);
        Assert.Equal(next.AsHead(), final.Head);
    }

    /// <summary>Starts a writer, waits until it reports block <paramref name="killAt"/> committed (or, mid-transaction,
    /// held before its commit), kills it with SIGKILL and returns the last height it reported committed.</summary>
    private long RunChildUntilKilled(string kind, string target, long killAt, bool midTransaction, string phase)
    {
        using var child = StartWriter(kind, target, killAt + RunAheadMax, midTransaction ? killAt : -1);
        long reported = -1;
        try
        {
            var awaited = midTransaction ? $"holding {killAt}" : $"committed {killAt}";
            for (var line = ""; line != awaited;)
            {
                line = ReadLine(child, $"{phase}: waiting for the writer to print '{awaited}'");
                reported = Parse(line) ?? reported;
            }
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
        // Lines the writer printed before it died still sit in the pipe: they are appends that returned.
        for (var line = child.StandardOutput.ReadLine(); line is not null; line = child.StandardOutput.ReadLine())
        {
            reported = Parse(line) ?? reported;
        }
        return reported;
    }

    private Process StartWriter(string kind, string target, long heightMax, long holdAt)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", typeof(ChildProcessMain).Assembly.Location, LedgerCrashWriter.Mode, kind, "task-a",
                     _seed.ToString(CultureInfo.InvariantCulture), heightMax.ToString(CultureInfo.InvariantCulture),
                     holdAt.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment[LedgerCrashWriter.TargetVariable] = target;
        return Process.Start(start) ?? throw new InvalidOperationException("the ledger writer child process did not start");
    }

    /// <summary>The dotnet host running this test (the test host is started through it), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet"
            ? Environment.ProcessPath!
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private string ReadLine(Process child, string phase)
    {
        var read = child.StandardOutput.ReadLineAsync();
        if (!read.Wait(ChildLineTimeout))
        {
            throw new TimeoutException($"seed {_seed} {phase}: no output from the writer within {ChildLineTimeout.TotalSeconds} s");
        }
        return read.Result ?? throw new InvalidOperationException(
            $"seed {_seed} {phase}: the writer exited early with code {(child.WaitForExit(10_000) ? child.ExitCode : -1)}: {child.StandardError.ReadToEnd()}");
    }

    private static long? Parse(string line) =>
        line.StartsWith("committed ", StringComparison.Ordinal) ? long.Parse(line["committed ".Length..], CultureInfo.InvariantCulture) : null;

    /// <summary>Every block from genesis to <paramref name="height"/> is exactly the one the writer appended.</summary>
    private void AssertWholeChain(ILedgerStore store, long height, int round)
    {
        var blocks = store.ReadRange(0, height);
        Assert.Equal(height + 1, blocks.Count);
        LedgerHead? head = null;
        foreach (var block in blocks)
        {
            var expected = LedgerCrashWriter.Block(head, _seed);
            Assert.True(expected.Equals(block), $"seed {_seed} round {round}: block {block.Height} differs from what the writer appended");
            head = block.AsHead();
        }
    }
}
