using Swarm.Learning.Data.Partitioning;
using Swarm.Learning.Privacy.SecretSharing;
using Swarm.Learning.Privacy.SecureAggregation;
using static Swarm.Tests.Privacy.Uniformity;

namespace Swarm.Tests.Privacy.SecretSharing;

public sealed class AdditiveSharingTests
{
    private static readonly FixedPointCodec Codec = FixedPointCodec.Default;

    [Theory]
    [InlineData(2, 1000)]
    [InlineData(4, 4097)]
    [InlineData(10, 513)]
    public void The_total_of_the_partial_sums_is_the_plain_fixed_point_sum_bit_for_bit(int n, int length)
    {
        var session = Session.Run(n, length, seed: (ulong)n);

        var plain = new ulong[length];
        foreach (var update in session.Updates)
        {
            var encoded = new ulong[length];
            Assert.True(Codec.TryEncode(update, encoded, out _));
            for (var i = 0; i < length; i++)
            {
                plain[i] = unchecked(plain[i] + encoded[i]);
            }
        }
        var total = AdditiveSharing.Total(session.HeldSums);
        Assert.Equal(plain, total);

        // Decoded, the total is the float sum to within one fixed-point step per site.
        var decoded = Codec.Decode(total);
        for (var i = 0; i < length; i++)
        {
            var sum = session.Updates.Sum(u => (double)u[i]);
            Assert.True(Math.Abs(decoded[i] - sum) <= n * Math.ScaleB(1.0, -Codec.FractionalBits - 1), $"{i}: {decoded[i]} vs {sum}");
        }
    }

    [Fact]
    public void Any_n_minus_one_of_a_sites_shares_look_uniform_while_all_n_give_its_update_back()
    {
        const int n = 5;
        // A highly structured update for site 2, so that any leak shows in a byte histogram.
        var session = Session.Run(n, 1 << 14, seed: 3, structured: 2);
        var shares = session.SharesOf(2);
        Assert.Equal(n, shares.Count);

        for (var missing = 0; missing < n; missing++)
        {
            var coalition = Sum(shares.Where((_, holder) => holder != missing));
            Assert.True(ChiSquareOfBytes(coalition) < ChiSquare255Critical,
                $"shares of site 2 without holder {missing}'s: χ² = {ChiSquareOfBytes(coalition):F1}");
        }
        // The test has power: all n shares sum to the encoding, whose bytes are anything but uniform.
        var all = Sum(shares);
        var encoded = new ulong[all.Length];
        Assert.True(Codec.TryEncode(session.Updates[2], encoded, out _));
        Assert.Equal(encoded, all);
        Assert.True(ChiSquareOfBytes(all) > 100 * ChiSquare255Critical);
    }

    [Fact]
    public void A_curious_peer_reading_a_sites_published_partial_sum_learns_nothing_of_its_update()
    {
        const int n = 4;
        var session = Session.Run(n, 1 << 14, seed: 5, structured: 1);

        // The attack: a peer reads what site 1 publishes and decodes it as if it were the update.
        var published = session.HeldSums[1]!;
        var readBack = Codec.Decode(published);
        var update = session.Updates[1].Select(v => (double)v).ToArray();
        Assert.True(ChiSquareOfBytes(published) < ChiSquare255Critical, $"χ² = {ChiSquareOfBytes(published):F1}");
        Assert.True(Math.Abs(Correlation(readBack, update)) < 0.05, $"correlation {Correlation(readBack, update):F3}");

        // Without the sharing (the site publishing its encoded update, as a plain round does), the same read recovers it.
        var plain = new ulong[update.Length];
        Assert.True(Codec.TryEncode(session.Updates[1], plain, out _));
        Assert.True(Correlation(Codec.Decode(plain), update) > 0.999);
    }

    [Fact]
    public void Every_other_site_together_recovers_a_sites_update_and_one_site_fewer_does_not()
    {
        const int n = 4;
        var session = Session.Run(n, 4096, seed: 7, structured: 0);
        var shares = session.SharesOf(0);

        // Sites 1, 2 and 3 hold the shares dealt to them and see site 0's published partial sum (its kept share).
        var everyOther = Sum(shares);
        Assert.Equal(Codec.Decode(everyOther), session.Updates[0].Select(v => Math.Round(v * Math.ScaleB(1.0, 24)) / Math.ScaleB(1.0, 24)));
        // Sites 1 and 2 only: they miss the share site 0 dealt to site 3.
        var twoOfThree = Sum(shares.Where((_, holder) => holder != 3));
        Assert.True(Math.Abs(Correlation(Codec.Decode(twoOfThree), session.Updates[0].Select(v => (double)v).ToArray())) < 0.1);
    }

    [Fact]
    public void A_forged_missing_or_duplicated_share_and_a_missing_partial_sum_fail_the_round_naming_the_site()
    {
        const int n = 3;
        var sessionId = SessionId(11);
        var sites = Enumerable.Range(0, n).Select(i => new AdditiveSharing(i, n, sessionId, Entropy(11, i))).ToArray();
        var keys = sites.Select(s => s.PublicKey).ToArray();
        var seeds = sites.SelectMany(s => s.Deal(keys)).ToList();
        var kept = sites[0].KeptShare(new float[8], Codec);

        var forged = seeds.Select(s => s.Dealer == 2 && s.Holder == 0 ? s with { Ciphertext = Flip(s.Ciphertext) } : s).ToList();
        var forgedError = Assert.Throws<SecretSharingException>(() => sites[0].HeldSum(kept, keys, forged));
        Assert.Equal(2, forgedError.Culprit);
        Assert.Contains("does not open", forgedError.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<SecretSharingException>(() => sites[0].HeldSum(kept, keys, seeds.Where(s => s.Dealer != 1)));
        Assert.Equal(1, missing.Culprit);
        Assert.Contains("sent no share to site 0", missing.Message, StringComparison.Ordinal);

        var twice = Assert.Throws<SecretSharingException>(() => sites[0].HeldSum(kept, keys, seeds.Append(seeds.First(s => s.Dealer == 1 && s.Holder == 0))));
        Assert.Equal(1, twice.Culprit);

        // A share sealed to someone else cannot be opened by this site as if it were its own.
        var misrouted = seeds.Select(s => s.Dealer == 1 && s.Holder == 0 ? s with { Ciphertext = seeds.Single(o => o.Dealer == 1 && o.Holder == 2).Ciphertext } : s);
        Assert.Equal(1, Assert.Throws<SecretSharingException>(() => sites[0].HeldSum(kept, keys, misrouted)).Culprit);

        var noSum = Assert.Throws<SecretSharingException>(() => AdditiveSharing.Total([new ulong[8], null, new ulong[8]]));
        Assert.Equal(1, noSum.Culprit);
        Assert.Contains("no recovery", noSum.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fresh_entropy_gives_different_shares_for_the_same_update_and_values_out_of_range_are_refused()
    {
        var sessionId = SessionId(1);
        var update = Enumerable.Range(0, 64).Select(i => i * 0.01f).ToArray();
        var first = new AdditiveSharing(0, 3, sessionId, Entropy(1, 0)).KeptShare(update, Codec);
        var second = new AdditiveSharing(0, 3, sessionId, Entropy(2, 0)).KeptShare(update, Codec);
        Assert.NotEqual(first, second);

        var site = new AdditiveSharing(0, 3, sessionId, Entropy(1, 0));
        var error = Assert.Throws<ArgumentException>(() => site.KeptShare([0f, float.NaN], Codec));
        Assert.Contains("index 1", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdditiveSharing(0, 1, sessionId, Entropy(1, 0)));
    }

    /// <summary>One session run to the end: every site's update, its dealt seeds, kept share and published sum.</summary>
    private sealed class Session
    {
        public required float[][] Updates { get; init; }
        public required AdditiveSharing[] Sites { get; init; }
        public required byte[][] Keys { get; init; }
        public required ulong[][] Kept { get; init; }
        public required List<SealedSeed> Seeds { get; init; }
        public required ulong[]?[] HeldSums { get; init; }

        public static Session Run(int n, int length, ulong seed, int structured = -1)
        {
            var random = new SeededRandom(seed);
            var updates = Enumerable.Range(0, n).Select(site => Enumerable.Range(0, length)
                .Select(i => site == structured ? (i % 2 == 0 ? 0.5f : -0.25f) : (float)(random.NextGaussian() * 0.01)).ToArray()).ToArray();
            var sessionId = SessionId(seed);
            var sites = Enumerable.Range(0, n).Select(i => new AdditiveSharing(i, n, sessionId, Entropy(seed, i))).ToArray();
            var keys = sites.Select(s => s.PublicKey).ToArray();
            var seeds = sites.SelectMany(s => s.Deal(keys)).ToList();
            var kept = sites.Select((s, i) => s.KeptShare(updates[i], Codec)).ToArray();
            var held = sites.Select((s, i) => (ulong[]?)s.HeldSum(kept[i], keys, seeds)).ToArray();
            return new Session { Updates = updates, Sites = sites, Keys = keys, Kept = kept, Seeds = seeds, HeldSums = held };
        }

        /// <summary>The n shares of <paramref name="dealer"/>'s update, by holder: the kept share at the dealer's own
        /// index, and at each other index the share that holder opens from the seed the dealer sealed to it.</summary>
        public List<ulong[]> SharesOf(int dealer) =>
            Enumerable.Range(0, Sites.Length).Select(holder => holder == dealer
                ? Kept[dealer]
                : Sites[holder].ShareFrom(Seeds.Single(s => s.Dealer == dealer && s.Holder == holder), Keys, Kept[dealer].Length)).ToList();
    }

    private static ulong[] Sum(IEnumerable<ulong[]> vectors)
    {
        ulong[]? total = null;
        foreach (var vector in vectors)
        {
            total ??= new ulong[vector.Length];
            for (var i = 0; i < vector.Length; i++)
            {
                total[i] = unchecked(total[i] + vector[i]);
            }
        }
        return total!;
    }

    private static byte[] SessionId(ulong seed) => [.. BitConverter.GetBytes(seed), .. "swarm/test/ss"u8];

    private static byte[] Entropy(ulong seed, int site)
    {
        var random = new SeededRandom((seed * 1000) + (ulong)site + 1);
        return Enumerable.Range(0, 4).SelectMany(_ => BitConverter.GetBytes(random.NextUInt64())).ToArray();
    }

    private static byte[] Flip(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        copy[0] ^= 1;
        return copy;
    }
}
