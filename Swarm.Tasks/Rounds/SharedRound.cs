using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Swarm.Learning.Privacy.SecretSharing;
using Swarm.Learning.Privacy.SecureAggregation;

namespace Swarm.Tasks;

/// <summary>
/// Additive secret sharing inside a task round (docs/privacy.md, "Secret sharing in the rounds"): the session of each
/// round, the bytes of a site's dealt-shares blob, and every site's computation of the FedAvg aggregate from the
/// published partial sums. Pure: every site that runs <see cref="Aggregate"/> on the same blob bytes gets the same
/// model, bit for bit (sums in Z_2^64 do not depend on order, the decoding and the division are fixed).
/// </summary>
public static class SharedRound
{
    private const string SessionDomain = "swarm.task.secret-sharing.session.v1";
    private static ReadOnlySpan<byte> DealtMagic => "SWSH"u8;

    /// <summary>Sealed seeds in one dealt blob: one per other site at most.</summary>
    private const int SeedsMax = SecAggParameters.SitesMax;

    /// <summary>A sealed 32-byte seed is 60 bytes (nonce, ciphertext, tag); anything far above is malformed.</summary>
    private const int SealedBytesMax = 256;

    /// <summary>The fixed-point codec of the updates: f = 24 fractional bits, |w·Δ| ≤ 2^20, so a coordinate of the
    /// total is exact to 2^−25 before the division by Σ w (the same codec as secure aggregation).</summary>
    public static FixedPointCodec Codec => FixedPointCodec.Default;

    /// <summary>The session id of <paramref name="round"/> of the chain <paramref name="chainId"/>: keys and seeds are
    /// bound to it, so nothing carries over from one round or task to another, nor to secure aggregation's sessions.</summary>
    public static byte[] SessionId(string chainId, int round) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{SessionDomain}\n{chainId}\n{round}"));

    /// <summary>A dealt-shares blob: the magic, then for each holder its index and the seed sealed to it.</summary>
    public static byte[] EncodeDealt(IReadOnlyList<SealedSeed> seeds)
    {
        using var stream = new MemoryStream();
        stream.Write(DealtMagic);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(word, seeds.Count);
        stream.Write(word);
        foreach (var seed in seeds)
        {
            BinaryPrimitives.WriteInt32LittleEndian(word, seed.Holder);
            stream.Write(word);
            BinaryPrimitives.WriteInt32LittleEndian(word, seed.Ciphertext.Length);
            stream.Write(word);
            stream.Write(seed.Ciphertext);
        }
        return stream.ToArray();
    }

    /// <summary>The seeds <paramref name="dealer"/> sealed (the dealer is the site the chain recorded the blob for,
    /// never what the bytes say), or null when the bytes are not a dealt-shares blob.</summary>
    public static IReadOnlyList<SealedSeed>? DecodeDealt(byte[] bytes, int dealer)
    {
        var span = bytes.AsSpan();
        if (span.Length < 8 || !span[..4].SequenceEqual(DealtMagic))
        {
            return null;
        }
        var count = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        if (count is < 0 or > SeedsMax)
        {
            return null;
        }
        var seeds = new List<SealedSeed>(count);
        var at = 8;
        for (var i = 0; i < count; i++)
        {
            if (span.Length - at < 8)
            {
                return null;
            }
            var holder = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[(at + 4)..]);
            at += 8;
            if (length is < 0 or > SealedBytesMax || span.Length - at < length)
            {
                return null;
            }
            seeds.Add(new SealedSeed(dealer, holder, span.Slice(at, length).ToArray()));
            at += length;
        }
        return at == span.Length ? seeds : null;
    }

    /// <summary>What a site shares: its FedAvg-weighted update w·Δ, dense (as under secure aggregation).</summary>
    public static float[] Weighted(byte[] updateBytes, long sampleCount) => SecureRound.Weighted(updateBytes, sampleCount);

    /// <summary>The round's FedAvg aggregate from every included site's partial sum (in site order; a null entry is
    /// a sum that is missing or not <paramref name="global"/>'s length): Σ_v H_v = Σ_u w_u·Δ_u in Z_2^64, decoded and
    /// divided by Σ w. Differs from plain FedAvg by the fixed-point rounding, at most n·2^−25 / Σ w per coordinate,
    /// plus the float rounding of w·Δ.</summary>
    /// <exception cref="SecretSharingException">A partial sum is missing (its site index as the culprit).</exception>
    public static RoundAggregate Aggregate(ReadOnlySpan<float> global, IReadOnlyList<ulong[]?> partialSums, long weightSum)
    {
        var total = AdditiveSharing.Total(partialSums);
        var delta = new float[global.Length];
        var weight = (double)weightSum;
        for (var i = 0; i < delta.Length; i++)
        {
            delta[i] = (float)(Codec.Decode(total[i]) / weight);
        }
        return RoundAggregate.FromDelta(global, delta);
    }
}
