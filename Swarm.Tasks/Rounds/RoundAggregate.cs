using System.Security.Cryptography;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Updates;

namespace Swarm.Tasks;

/// <summary>An included update that the aggregate leaves out, and why.</summary>
public sealed record RefusedUpdate(string SiteId, string Reason);

/// <summary>A round's aggregate: Δ_agg, the new global parameters θ_global + Δ_agg and the digests of both.
/// Computed from the published update bytes only, so every site that runs <see cref="Compute"/> on the same
/// bytes gets bit-identical results (the strategies reduce in canonical site order).</summary>
public sealed record RoundAggregate(float[] Delta, float[] Parameters, string AggregateHash, string ModelHash)
{
    /// <summary>Included updates that were left out of the aggregate (<see cref="Compute"/>), in site order.</summary>
    public IReadOnlyList<RefusedUpdate> Refused { get; init; } = [];

    /// <summary>The SHA-256 of published update bytes, lower-case hex.</summary>
    public static string HashOf(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Every replica's recomputation of a round. An included update whose bytes do not decode, do not fit the model,
    /// or break the task's sharing rule (<paramref name="sharing"/>: more coordinates than θ allows, a coordinate of
    /// a local layer) is refused: left out of the aggregate and listed in <see cref="Refused"/>. The refusal
    /// depends only on the bytes the chain named, so every honest replica refuses the same updates and still agrees
    /// on the aggregate; when every update is refused Δ_agg is zero and the model stays as it was.
    /// </summary>
    /// <exception cref="InvalidUpdateException">An update's bytes do not match its hash: the replica holds the wrong
    /// bytes (a local fault, not the publisher's), so it cannot recompute the round.</exception>
    public static RoundAggregate Compute(IAggregationStrategy strategy, ReadOnlySpan<float> global,
        IReadOnlyList<PublishedUpdate> updates, ShareSelector? sharing = null)
    {
        var decoded = new List<SiteUpdate>(updates.Count);
        var refused = new List<RefusedUpdate>();
        foreach (var update in updates.OrderBy(u => u.SiteId, StringComparer.Ordinal))
        {
            if (!string.Equals(HashOf(update.Bytes), update.Hash, StringComparison.Ordinal))
            {
                throw new InvalidUpdateException($"update of site '{update.SiteId}' does not match its hash {update.Hash}");
            }
            if (Refusal(update, global.Length, sharing, out var sparse) is { } reason)
            {
                refused.Add(new RefusedUpdate(update.SiteId, $"update of site '{update.SiteId}' refused: {reason}"));
                continue;
            }
            decoded.Add(new SiteUpdate(update.SiteId, update.SampleCount, sparse!));
        }
        var delta = decoded.Count == 0 ? new float[global.Length] : strategy.Aggregate(decoded).Delta;
        foreach (var update in decoded)
        {
            if (!ReferenceEquals(update.Update.Values, delta))
            {
                VectorPool<float>.Shared.Return(update.Update.Values);
            }
        }
        return FromDelta(global, delta) with { Refused = refused };
    }

    private static string? Refusal(PublishedUpdate update, int length, ShareSelector? sharing, out SparseUpdate? sparse)
    {
        sparse = null;
        try
        {
            // The decoded values live only until the strategy has reduced them: pooled (given back in Compute).
            sparse = UpdateCodec.Decode(update.Bytes, VectorPool<float>.Shared);
        }
        catch (InvalidUpdateException e)
        {
            return e.Message;
        }
        if (sparse.Length != length)
        {
            return $"it has {sparse.Length} coordinates, the model has {length}";
        }
        return sharing?.Check(sparse);
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
