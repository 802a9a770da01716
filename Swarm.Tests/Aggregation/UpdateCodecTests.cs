using System.Buffers.Binary;
using Swarm.Learning.Updates;

namespace Swarm.Tests.Aggregation;

public sealed class UpdateCodecTests
{
    [Fact]
    public void Sparse_and_dense_updates_round_trip_exactly()
    {
        var sparse = SparseUpdate.Create(10, [1, 4, 9], [-0.5f, 1e-30f, 3f]);
        var dense = SparseUpdate.Dense([1f, -2f, 0f]);

        foreach (var update in new[] { sparse, dense })
        {
            var back = UpdateCodec.Decode(UpdateCodec.Encode(update));
            Assert.Equal(update.Length, back.Length);
            Assert.Equal(update.Indices, back.Indices);
            Assert.Equal(update.Values, back.Values);
        }
    }

    [Fact]
    public void The_bytes_are_the_documented_little_endian_layout_value_by_value()
    {
        // Encoding and decoding copy whole spans; the layout they must produce is written out here field by field.
        var update = SparseUpdate.Create(70_000, [3, 65_536, 69_999], [-0.5f, 1e-30f, float.MaxValue]);
        var expected = new byte[13 + 24];
        "SWU1"u8.CopyTo(expected);
        expected[4] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(expected.AsSpan(5), 70_000);
        BinaryPrimitives.WriteInt32LittleEndian(expected.AsSpan(9), 3);
        for (var i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(expected.AsSpan(13 + (4 * i)), update.Indices[i]);
            BinaryPrimitives.WriteSingleLittleEndian(expected.AsSpan(25 + (4 * i)), update.Values[i]);
        }

        Assert.Equal(expected, UpdateCodec.Encode(update));
        var back = UpdateCodec.Decode(expected);
        Assert.Equal(update.Indices, back.Indices);
        Assert.Equal(update.Values, back.Values);
    }

    [Fact]
    public void Dense_updates_do_not_carry_indices()
    {
        Assert.Equal(13 + (4 * 3), UpdateCodec.Encode(SparseUpdate.Dense([1f, 2f, 3f])).Length);
    }

    [Fact]
    public void Decoded_dense_updates_share_one_index_array_and_a_non_finite_value_is_still_refused()
    {
        var first = UpdateCodec.Decode(UpdateCodec.Encode(SparseUpdate.Dense([1f, 2f, 3f, 4f, 5f])));
        var second = UpdateCodec.Decode(UpdateCodec.Encode(SparseUpdate.Dense([5f, 4f, 3f, 2f, 1f])));

        Assert.Same(first.Indices, second.Indices);
        Assert.Equal([0, 1, 2, 3, 4], first.Indices);
        Assert.True(first.IsDense);

        var bytes = UpdateCodec.Encode(SparseUpdate.Dense([1f, 2f, 3f, 4f, 5f]));
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(13 + (4 * 3)), float.NaN);
        var refused = Assert.Throws<InvalidUpdateException>(() => UpdateCodec.Decode(bytes));
        Assert.Contains("coordinate 3 is not finite", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_bytes_are_rejected_with_the_expected_size()
    {
        var bytes = UpdateCodec.Encode(SparseUpdate.Create(10, [1, 4], [1f, 2f]));

        var error = Assert.Throws<InvalidUpdateException>(() => UpdateCodec.Decode(bytes.AsSpan(0, bytes.Length - 1)));

        Assert.Contains("expected", error.Message);
    }

    [Fact]
    public void A_wrong_header_is_rejected()
    {
        var error = Assert.Throws<InvalidUpdateException>(() => UpdateCodec.Decode("NOPE-not-an-update"u8));

        Assert.Contains("SWU1", error.Message);
    }

    [Fact]
    public void Unordered_indices_are_rejected()
    {
        var bytes = UpdateCodec.Encode(SparseUpdate.Create(10, [1, 4], [1f, 2f]));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(13 + 4), 0);

        var error = Assert.Throws<InvalidUpdateException>(() => UpdateCodec.Decode(bytes));

        Assert.Contains("out of order", error.Message);
    }

    [Fact]
    public void A_non_finite_value_is_rejected()
    {
        var bytes = UpdateCodec.Encode(SparseUpdate.Dense([1f, 2f]));
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(13 + 4), float.PositiveInfinity);

        var error = Assert.Throws<InvalidUpdateException>(() => UpdateCodec.Decode(bytes));

        Assert.Contains("not finite", error.Message);
    }

    [Fact]
    public void Model_digest_changes_with_any_bit_of_the_parameters()
    {
        float[] a = [1f, 2f, 3f];
        float[] b = [1f, 2f, BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(3f) ^ 1)];

        Assert.Equal(ModelDigest.Hex(a), ModelDigest.Hex([1f, 2f, 3f]));
        Assert.NotEqual(ModelDigest.Hex(a), ModelDigest.Hex(b));
        Assert.Equal(64, ModelDigest.Hex(a).Length);
    }
}
