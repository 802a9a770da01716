using Swarm.Consensus.Storage;

namespace Swarm.Tests.Persistence;

/// <summary>Deterministic test blocks: the bytes of a block depend only on (seed, height), so a reader can re-derive
/// what a writer (even one in another process) stored.</summary>
internal static class TestChains
{
    /// <summary>Canonical bytes of the test block at <paramref name="height"/>: varied length, every byte value.</summary>
    public static byte[] BlockBytes(int seed, long height, int length = -1)
    {
        // Not HashCode.Combine: it is seeded per process, and a child process must derive the same bytes.
        var random = new Random(unchecked((int)((seed * 1_000_003L) ^ (height * 7_919L))));
        var bytes = new byte[length >= 0 ? length : 1 + random.Next(2_000)];
        random.NextBytes(bytes);
        return bytes;
    }

    public static byte[] Certificate(int seed, long height) => BlockBytes(seed ^ 0x5a5a, height, 3 * 72);

    /// <summary>The chain of <paramref name="count"/> linked blocks that starts at genesis.</summary>
    public static List<StoredBlock> Chain(int count, int seed = 1)
    {
        var blocks = new List<StoredBlock>();
        LedgerHead? head = null;
        for (var height = 0; height < count; height++)
        {
            var block = Next(head, seed);
            blocks.Add(block);
            head = block.AsHead();
        }
        return blocks;
    }

    /// <summary>The test block that follows <paramref name="head"/> (genesis when null).</summary>
    public static StoredBlock Next(LedgerHead? head, int seed = 1, int length = -1)
    {
        var height = head is null ? 0 : head.Height + 1;
        var bytes = BlockBytes(seed, height, length);
        return head is null
            ? StoredBlock.Genesis(bytes, Certificate(seed, height))
            : StoredBlock.After(head, bytes, Certificate(seed, height));
    }

    public static void AppendAll(ILedgerStore store, IEnumerable<StoredBlock> blocks)
    {
        foreach (var block in blocks)
        {
            store.Append(block);
        }
    }
}
