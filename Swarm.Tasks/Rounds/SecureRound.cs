using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Swarm.Learning.Privacy.SecureAggregation;
using Swarm.Learning.Updates;

namespace Swarm.Tasks;

/// <summary>
/// Secure aggregation inside a task round (docs/secure-aggregation.md, "In the rounds"): the session of each round,
/// what a masked update's blob holds, the unmask request that the closed round determines, and every site's
/// recomputation of the FedAvg aggregate from the masked blobs and the chain's messages. Pure: every site that runs
/// <see cref="Compute"/> on the same chain and the same blob bytes gets the same model, bit for bit.
/// </summary>
public static class SecureRound
{
    private const string SessionDomain = "swarm.task.secagg.session.v1";

    /// <summary>The session id of <paramref name="round"/> of the chain <paramref name="chainId"/>: every key, share
    /// and mask of the round is bound to it, so nothing carries over from one round or task to another.</summary>
    public static byte[] SessionId(string chainId, int round) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{SessionDomain}\n{chainId}\n{round}"));

    /// <summary>The session's parameters: all of the chain's sites, its threshold, the complete graph (tasks have
    /// few sites; SecAgg+'s sparse graph pays off at hundreds) and the default fixed-point codec (f = 24).</summary>
    public static SecAggParameters Parameters(TaskChainTerms terms, int round, int modelLength) =>
        new(SessionId(terms.ChainId, round), terms.Sites.Count,
            terms.SecureAggregation?.Threshold ?? throw new InvalidOperationException($"chain {terms.ChainId} runs no secure aggregation"),
            modelLength, null, FixedPointCodec.Default);

    /// <summary>What a site masks: its FedAvg-weighted update w·Δ (w its sample count, fixed on the chain), dense.
    /// The weights' sum is public (the included updates' sample counts), so Σ w·Δ / Σ w is FedAvg.</summary>
    public static float[] Weighted(byte[] updateBytes, long sampleCount)
    {
        var dense = UpdateCodec.Decode(updateBytes).ToDense();
        for (var i = 0; i < dense.Length; i++)
        {
            dense[i] *= sampleCount;
        }
        return dense;
    }

    /// <summary>A masked vector's blob: its words, little-endian, nothing else (8 bytes a parameter).</summary>
    public static byte[] Encode(ulong[] masked)
    {
        var bytes = new byte[masked.Length * sizeof(ulong)];
        for (var i = 0; i < masked.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * sizeof(ulong)), masked[i]);
        }
        return bytes;
    }

    /// <summary>The words of a masked blob, or null when it is not <paramref name="length"/> words long.</summary>
    public static ulong[]? Decode(byte[] bytes, int length)
    {
        if (bytes.Length != length * sizeof(ulong))
        {
            return null;
        }
        var masked = new ulong[length];
        for (var i = 0; i < length; i++)
        {
            masked[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i * sizeof(ulong)));
        }
        return masked;
    }

    /// <summary>The one unmask request a closed round allows: survivors are the sites whose masked update the round
    /// included (U3), dropped the other sites of U2. Every site derives it from the chain alone, so no site can be
    /// shown two different requests (Bonawitz et al. §4, the attack the consistency round prevents).</summary>
    public static UnmaskRequest RequestOf(TaskChainTerms terms, SecAggRecord record, RoundClosed closed, int sender)
    {
        var survivors = closed.Included.Select(u => terms.IndexOf(u.Site)).Order().ToList();
        var dropped = record.Shares.Select(s => s.Sender).Where(site => !survivors.Contains(site)).Order().ToList();
        return new UnmaskRequest(sender, survivors, dropped);
    }

    /// <summary>The round's FedAvg aggregate from the masked blobs of the included sites and the chain's messages:
    /// Σ y over U3 unmasked (<see cref="SecAggAggregator.Aggregate"/>), decoded, divided by the included weights'
    /// sum. The result differs from plain FedAvg of the same updates by the fixed-point rounding, at most
    /// n·2^−25 / Σ w per coordinate, plus float rounding of w·Δ (docs/secure-aggregation.md).</summary>
    /// <remarks><paramref name="bytesOf"/> gives the blob bytes of an included site's masked update, already checked
    /// against its hash; <paramref name="unweighted"/> (Dopamine) divides by the included count, each vector having
    /// been masked with weight 1; the result is the aggregate, or the reason it cannot be computed (yet: more unmask
    /// responses may help).</remarks>
    public static (RoundAggregate? Aggregate, string? Error) Compute(
        SecAggParameters parameters, ReadOnlySpan<float> global, IReadOnlyList<UpdateRef> included, Func<UpdateRef, byte[]> bytesOf,
        IReadOnlyList<AdvertiseKeys> keys, IReadOnlyList<ShareKeys> shares, UnmaskRequest request, IReadOnlyList<UnmaskResponse> responses,
        Func<string, int> indexOf, bool unweighted = false)
    {
        var masked = new List<MaskedInput>(included.Count);
        foreach (var update in included)
        {
            if (Decode(bytesOf(update), parameters.VectorLength) is not { } words)
            {
                return (null, $"the masked update of site '{update.Site}' is not {parameters.VectorLength} 64-bit words");
            }
            masked.Add(new MaskedInput(indexOf(update.Site), words));
        }
        switch (SecAggAggregator.Aggregate(parameters, keys, shares, masked, request, responses))
        {
            case AggregateSum sum:
                var weight = unweighted ? included.Count : (double)included.Sum(u => u.SampleCount);
                var delta = new float[parameters.VectorLength];
                for (var i = 0; i < delta.Length; i++)
                {
                    delta[i] = (float)(parameters.Codec.Decode(sum.Sum[i]) / weight);
                }
                return (RoundAggregate.FromDelta(global, delta), null);
            case AggregationFailed failed:
                return (null, $"secure aggregation failed: {failed.Reason}");
            default:
                throw new InvalidOperationException("unknown aggregation outcome");
        }
    }
}
