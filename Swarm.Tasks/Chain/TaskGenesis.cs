using System.Security.Cryptography;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;
using Swarm.Tasks.CrossChain;

namespace Swarm.Tasks;

/// <summary>Builds a task chain's genesis: the chain id binds the task id and the digest of its spec's canonical
/// bytes, the members are the participants in spec order with their public keys, and f = ⌊(n − 1) / 3⌋.</summary>
public static class TaskGenesis
{
    /// <summary>Checkpoints every few blocks: a task's chain is short (a handful of blocks per round), and a site
    /// that restarts catches up by state transfer from the latest stable checkpoint.</summary>
    public static ChainParameters Parameters => new(BatchSizeMax: 256, CheckpointIntervalBlocks: 4, WatermarkWindowBlocks: 16,
        ClockSkewMaxMs: 60_000, GenesisTimestampMs: 0);

    public static string ChainId(TaskSpec spec, ReadOnlySpan<byte> specBytes) =>
        $"task/{spec.Id}/{Convert.ToHexStringLower(SHA256.HashData(specBytes))[..16]}";

    public static (Genesis Genesis, TaskChainTerms Terms) Create(TaskSpec spec, ReadOnlySpan<byte> specBytes,
        IReadOnlyList<byte[]> publicKeys)
    {
        if (publicKeys.Count != spec.Participants.Count)
        {
            throw new ArgumentException($"{publicKeys.Count} public keys for {spec.Participants.Count} participants", nameof(publicKeys));
        }
        var chainId = ChainId(spec, specBytes);
        var f = (spec.Participants.Count - 1) / 3;
        var members = publicKeys.Select((key, i) => new Member(i, key)).ToList();
        var genesis = new Genesis(chainId, members, f, Parameters);
        // Secret sharing needs every participant in every round (the validator refuses another quorum).
        var quorum = spec.Quorum <= 0 || spec.Privacy.SecretSharing ? spec.Participants.Count : spec.Quorum;
        var privacy = spec.Privacy.DifferentialPrivacy
            ? new ChainPrivacyTerms(spec.Privacy.NoiseMultiplier, spec.Privacy.Delta, spec.Optimizer.BatchSize, spec.LocalEpochs)
            {
                NoiseShares = spec.Privacy.Mode == PrivacyModes.Dopamine ? DopamineTerms.NoiseSharesOf(spec) : 0,
            }
            : null;
        return (genesis, new TaskChainTerms(chainId, [.. spec.Participants], publicKeys, spec.Rounds, quorum, f) 
        {
            Privacy = privacy,
            SampleCountMax = spec.Aggregation.SampleCountMax,
            // Round tasks take each site's FedAvg weight from the declarations made at consent; data-vector tasks keep
            // their per-vector sample counts (DataVectorChain).
            SamplesDeclaredAtConsent = spec.DataVectors is null,
            SecureAggregation = spec.Privacy.SecureAggregation ? new ChainSecAggTerms(ChainSecAggTerms.ThresholdFor(spec.Participants.Count)) : null,
            SecretSharing = spec.Privacy.SecretSharing,
            TransferSource = spec.Transfer is { } transfer && transfer.Genesis.Length == 64 && transfer.Genesis.All(char.IsAsciiHexDigitLower)
                ? new SourceAnchor(transfer.Source, Digest.FromBytes(Convert.FromHexString(transfer.Genesis)))
                : null,
        });
    }
}
