using System.Security.Cryptography;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Updates;

namespace Swarm.Tasks;

/// <summary>A round's aggregate: Δ_agg, the new global parameters θ_global + Δ_agg and the digests of both.
/// Computed from the published update bytes only, so every site that runs <see cref="Compute"/> on the same
/// bytes gets bit-identical results (the strategies reduce in canonical site order).</summary>
public sealed record RoundAggregate(float[] Delta, float[] Parameters, string AggregateHash, string ModelHash)
{
    /// <summary>The SHA-256 of published update bytes, lower-case hex.</summary>
    public static string HashOf(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <exception cref="InvalidUpdateException">An update's bytes do not match its hash, do not decode, or do not
    /// fit the model.</exception>
    public static RoundAggregate Compute(IAggregationStrategy strategy, ReadOnlySpan<float> global,
        IReadOnlyList<PublishedUpdate> updates)
    {
        var decoded = new List<SiteUpdate>(updates.Count);
        foreach (var update in updates)
        {
            if (!string.Equals(HashOf(update.Bytes), update.Hash, StringComparison.Ordinal))
            {
                throw new InvalidUpdateException($"update of site '{update.SiteId}' does not match its hash {update.Hash}");
            }
            var sparse = UpdateCodec.Decode(update.Bytes);
            if (sparse.Length != global.Length)
            {
                throw new InvalidUpdateException(
                    $"update of site '{update.SiteId}' has {sparse.Length} coordinates, the model has {global.Length}");
            }
            decoded.Add(new SiteUpdate(update.SiteId, update.SampleCount, sparse));
        }
        return FromDelta(global, strategy.Aggregate(decoded).Delta);
    }

    /// <summary>The aggregate that applies <paramref name="delta"/> to <paramref name="global"/>, with both digests.</summary>
    public static RoundAggregate FromDelta(ReadOnlySpan<float> global, float[] delta)
    {
        var parameters = new float[global.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i] = global[i] + delta[i];
        }
        return new RoundAggregate(delta, parameters, ModelDigest.Hex(delta), ModelDigest.Hex(parameters));
    }
}
