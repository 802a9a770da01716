namespace Swarm.Consensus.Storage;

/// <summary>Upper bounds every store enforces (TigerBeetle style: a limit on everything, unit last).</summary>
public static class LedgerLimits
{
    /// <summary>Largest canonical block. Weights never sit on the chain, so blocks stay far below this.</summary>
    public const int BlockBytesMax = 16 * 1024 * 1024;

    /// <summary>Largest commit certificate: 2f+1 signatures of about 100 bytes each, with ample room.</summary>
    public const int CertificateBytesMax = 1024 * 1024;

    /// <summary>Most blocks one <see cref="ILedgerStore.ReadRange"/> call may ask for.</summary>
    public const int RangeBlocksMax = 10_000;

    /// <summary>Longest hard-state key, in characters.</summary>
    public const int StateKeyCharsMax = 200;

    /// <summary>Largest hard-state value.</summary>
    public const int StateValueBytesMax = 16 * 1024 * 1024;

    /// <summary>Longest chain id, in characters.</summary>
    public const int ChainIdCharsMax = 200;
}
