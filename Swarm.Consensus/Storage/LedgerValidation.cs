namespace Swarm.Consensus.Storage;

/// <summary>
/// The rules every <see cref="ILedgerStore"/> applies before it writes, in one place so that all implementations
/// refuse exactly the same inputs with the same messages.
/// </summary>
public static class LedgerValidation
{
    /// <summary>Throws <see cref="LedgerException"/> unless <paramref name="block"/> may follow <paramref name="head"/>.</summary>
    public static void CheckAppend(string chainId, LedgerHead? head, StoredBlock block)
    {
        CheckContent(chainId, block);
        CheckLink(chainId, head, block);
    }

    /// <summary>
    /// The checks that need no head: sizes and hash. Stores run them before they take their write lock, since hashing
    /// a large block takes a while.
    /// </summary>
    public static void CheckContent(string chainId, StoredBlock block)
    {
        CheckShape(chainId, block);
        if (!BlockHashing.Matches(block.Block, block.Hash))
        {
            throw Refused(chainId, block, "its hash is not SHA-256 of its block bytes");
        }
    }

    /// <summary>Throws unless the sizes of <paramref name="block"/> are within <see cref="LedgerLimits"/>.</summary>
    public static void CheckShape(string chainId, StoredBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Hash is null || block.PreviousHash is null || block.Block is null || block.Certificate is null)
        {
            throw Refused(chainId, block, "one of its byte arrays is null");
        }
        if (block.Height < 0)
        {
            throw Refused(chainId, block, "its height is negative");
        }
        if (block.Hash.Length != BlockHashing.HashBytes)
        {
            throw Refused(chainId, block, $"its hash is {block.Hash.Length} bytes, not {BlockHashing.HashBytes} (SHA-256)");
        }
        if (block.Block.Length > LedgerLimits.BlockBytesMax)
        {
            throw Refused(chainId, block, $"it is {block.Block.Length} bytes, over BlockBytesMax {LedgerLimits.BlockBytesMax}");
        }
        if (block.Certificate.Length > LedgerLimits.CertificateBytesMax)
        {
            throw Refused(chainId, block,
                $"its certificate is {block.Certificate.Length} bytes, over CertificateBytesMax {LedgerLimits.CertificateBytesMax}");
        }
    }

    /// <summary>Throws unless <paramref name="block"/> sits right after <paramref name="head"/> (height and hash link).</summary>
    public static void CheckLink(string chainId, LedgerHead? head, StoredBlock block)
    {
        if (head is null)
        {
            if (block.Height != 0)
            {
                throw Refused(chainId, block, "the chain is empty, so the next block is genesis at height 0");
            }
            if (block.PreviousHash.Length != 0)
            {
                throw Refused(chainId, block, "a genesis block has an empty previous hash");
            }
            return;
        }
        if (block.Height != head.Height + 1)
        {
            throw Refused(chainId, block, $"the head is at height {head.Height}, so the next height is {head.Height + 1}");
        }
        if (!block.PreviousHash.AsSpan().SequenceEqual(head.Hash))
        {
            throw Refused(chainId, block,
                $"its previous hash {Convert.ToHexStringLower(block.PreviousHash)} is not the head's hash {Convert.ToHexStringLower(head.Hash)}");
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="chainId"/> is a usable chain id.</summary>
    public static void CheckChainId(string chainId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(chainId);
        if (chainId.Length > LedgerLimits.ChainIdCharsMax)
        {
            throw new ArgumentException($"chain id is {chainId.Length} characters, over ChainIdCharsMax {LedgerLimits.ChainIdCharsMax}", nameof(chainId));
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless the key and value are within the state limits.</summary>
    public static void CheckState(string key, byte[] value)
    {
        CheckStateKey(key);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > LedgerLimits.StateValueBytesMax)
        {
            throw new ArgumentException($"state value of '{key}' is {value.Length} bytes, over StateValueBytesMax {LedgerLimits.StateValueBytesMax}", nameof(value));
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="key"/> is a usable state key.</summary>
    public static void CheckStateKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length > LedgerLimits.StateKeyCharsMax)
        {
            throw new ArgumentException($"state key is {key.Length} characters, over StateKeyCharsMax {LedgerLimits.StateKeyCharsMax}", nameof(key));
        }
    }

    /// <summary>
    /// The last height a <see cref="ILedgerStore.ReadRange"/> call reads: <paramref name="toInclusive"/> cut at the head.
    /// Throws <see cref="ArgumentOutOfRangeException"/> for a negative start or a span over
    /// <see cref="LedgerLimits.RangeBlocksMax"/>.
    /// </summary>
    public static long RangeEnd(long from, long toInclusive, LedgerHead? head)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        var end = Math.Min(toInclusive, head?.Height ?? -1);
        if (end >= from && end - from >= LedgerLimits.RangeBlocksMax)
        {
            throw new ArgumentOutOfRangeException(nameof(toInclusive),
                $"range [{from}, {end}] spans more than RangeBlocksMax {LedgerLimits.RangeBlocksMax} blocks");
        }
        return end;
    }

    /// <summary>
    /// Re-verifies a stored tail on open: the last block's hash against its bytes and its link to the block before.
    /// Returns null when it is sound, otherwise what is wrong.
    /// </summary>
    public static string? CheckStoredTail(StoredBlock last, StoredBlock? beforeLast)
    {
        if (last.Hash.Length != BlockHashing.HashBytes || !BlockHashing.Matches(last.Block, last.Hash))
        {
            return $"block {last.Height} does not match its stored hash";
        }
        if (beforeLast is null)
        {
            return last.Height == 0 && last.PreviousHash.Length == 0 ? null : $"block {last.Height} has no predecessor";
        }
        return last.PreviousHash.AsSpan().SequenceEqual(beforeLast.Hash)
            ? null
            : $"block {last.Height} does not link to the hash of block {beforeLast.Height}";
    }

    private static LedgerException Refused(string chainId, StoredBlock block, string why) =>
        new($"ledger of chain '{chainId}' refused block {block.Height}: {why}");
}
