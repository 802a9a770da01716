using Swarm.Consensus.Storage;
using Swarm.Node.Persistence;

namespace Swarm.Tests.Persistence;

/// <summary>
/// The child process of the crash tests: opens a ledger, appends deterministic blocks as fast as it can and prints
/// <c>committed H</c> after each append returned, until its parent kills it with SIGKILL (or it reaches its height
/// bound, so that an orphaned writer cannot fill the disk).
/// </summary>
internal static class LedgerCrashWriter
{
    public const string Mode = "ledger-crash-writer";

    /// <summary>The store's target travels in the environment, so a password never shows in a process list.</summary>
    public const string TargetVariable = "SWARM_CHILD_LEDGER_TARGET";

    private const int BlockUnitBytes = 8 * 1024;

    /// <summary>Arguments: kind (sqlite|postgres), chain id, seed, height bound.</summary>
    public static int Run(string[] args)
    {
        var (kind, chainId, seed, heightMax) = (args[0], args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        var target = Environment.GetEnvironmentVariable(TargetVariable)
            ?? throw new InvalidOperationException($"{TargetVariable} is not set");
        using ILedgerStore store = kind == "sqlite" ? SqliteLedgerStore.Open(target, chainId) : PostgresLedgerStore.Open(target, chainId);
        var head = store.Head;
        Console.Out.WriteLine($"opened {head?.Height ?? -1}");
        while (head is null || head.Height < heightMax)
        {
            var block = Block(head, seed);
            store.Append(block);
            Console.Out.WriteLine($"committed {block.Height}");
            head = block.AsHead();
        }
        return 0;
    }

    /// <summary>The block the writer appends after <paramref name="head"/>: 8 to 128 KiB, so that appends take long
    /// enough for a kill to land inside one.</summary>
    public static StoredBlock Block(LedgerHead? head, int seed)
    {
        var height = head is null ? 0 : head.Height + 1;
        return TestChains.Next(head, seed, length: BlockUnitBytes * (1 + (int)(height * 7919 % 16)));
    }
}
