using System.Globalization;
using Swarm.Consensus.Storage;
using Swarm.Node.Persistence;

namespace Swarm.Tests.Persistence;

/// <summary>
/// The child process of the crash tests: opens a ledger, appends deterministic blocks as fast as it can and prints
/// <c>committed H</c> after each append returned, until its parent kills it with SIGKILL (or it reaches its height
/// bound, so that an orphaned writer cannot fill the disk). Given a hold height, it makes that append a 4 MiB block
/// and stops inside its transaction, after the row is written and before the commit, printing <c>holding H</c>:
/// the parent then kills it exactly mid-append. 4 MiB is twice SQLite's default page cache, so the uncommitted
/// pages have been spilled to the WAL file when the kill comes.
/// </summary>
internal static class LedgerCrashWriter
{
    public const string Mode = "ledger-crash-writer";

    /// <summary>The store's target travels in the environment, so a password never shows in a process list.</summary>
    public const string TargetVariable = "SWARM_CHILD_LEDGER_TARGET";

    private const int BlockUnitBytes = 8 * 1024;
    private const int HeldBlockBytes = 4 * 1024 * 1024;

    /// <summary>Arguments: kind (sqlite|postgres), chain id, seed, height bound, hold height (-1: none).</summary>
    public static int Run(string[] args)
    {
        var (kind, chainId, seed) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
        var (heightMax, holdAt) = (long.Parse(args[3], CultureInfo.InvariantCulture), long.Parse(args[4], CultureInfo.InvariantCulture));
        var target = Environment.GetEnvironmentVariable(TargetVariable)
            ?? throw new InvalidOperationException($"{TargetVariable} is not set");
        using var store = Open(kind, target, chainId);
        var head = store.Head;
        Console.Out.WriteLine($"opened {head?.Height ?? -1}");
        while (head is null || head.Height < heightMax)
        {
            var next = head is null ? 0 : head.Height + 1;
            var block = next == holdAt ? TestChains.Next(head, seed, HeldBlockBytes) : Block(head, seed);
            store.Append(block);
            Console.Out.WriteLine($"committed {block.Height}");
            head = block.AsHead();
        }
        // At the bound the writer waits for its kill instead of exiting, so every round ends in a SIGKILL.
        Console.Out.WriteLine($"bound {heightMax}");
        Console.In.ReadLine();
        return 0;

        ILedgerStore Open(string kind, string target, string chainId)
        {
            if (kind == "sqlite")
            {
                var sqlite = SqliteLedgerStore.Open(target, chainId);
                sqlite.BeforeCommit = block => HoldIf(block, holdAt);
                return sqlite;
            }
            var postgres = PostgresLedgerStore.Open(target, chainId);
            postgres.BeforeCommit = block => HoldIf(block, holdAt);
            return postgres;
        }
    }

    /// <summary>Inside the transaction of block <paramref name="holdAt"/>: tells the parent and waits to be killed.
    /// Should the parent go away instead (stdin closes), the append fails and nothing is committed.</summary>
    private static void HoldIf(StoredBlock block, long holdAt)
    {
        if (block.Height != holdAt)
        {
            return;
        }
        Console.Out.WriteLine($"holding {block.Height}");
        Console.In.ReadLine();
        throw new InvalidOperationException("the parent test went away while the writer held its transaction open");
    }

    /// <summary>The block the writer appends after <paramref name="head"/>: 8 to 128 KiB, so that appends take long
    /// enough for a kill to land inside one.</summary>
    public static StoredBlock Block(LedgerHead? head, int seed)
    {
        var height = head is null ? 0 : head.Height + 1;
        return TestChains.Next(head, seed, length: BlockUnitBytes * (1 + (int)(height * 7919 % 16)));
    }
}
