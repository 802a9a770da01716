using System.Buffers.Binary;
using Swarm.Learning.Data.Numpy;

namespace Swarm.Tests.Data;

public sealed class NpyReaderTests
{
    [Fact]
    public void Uint8_matrix_is_read_with_shape_and_values()
    {
        var array = NpyReader.Parse("a.npy", NpyBytes.Npy("|u1", "(2, 3)", [1, 2, 3, 4, 5, 255]));

        Assert.Equal(NpyDType.UInt8, array.DType);
        Assert.Equal([2L, 3L], array.Shape);
        Assert.Equal([1, 2, 3, 4, 5, 255], array.AsUInt8().ToArray());
    }

    [Fact]
    public void Float32_vector_in_version_2_header_is_read()
    {
        var array = NpyReader.Parse("f.npy", NpyBytes.Npy("<f4", "(3,)", NpyBytes.Floats(1.5f, -2f, 0.25f), major: 2));

        Assert.Equal([1.5f, -2f, 0.25f], array.AsFloat32().ToArray());
    }

    [Fact]
    public void Int64_and_float64_in_version_3_header_are_read()
    {
        var longs = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(longs, -7);
        BinaryPrimitives.WriteInt64LittleEndian(longs.AsSpan(8), 1L << 40);
        var doubles = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(doubles, Math.PI);

        var ints = NpyReader.Parse("i.npy", NpyBytes.Npy("<i8", "(2,)", longs, major: 3));
        var scalar = NpyReader.Parse("d.npy", NpyBytes.Npy("<f8", "()", doubles, major: 3));

        Assert.Equal([-7L, 1L << 40], ints.AsInt64().ToArray());
        Assert.Empty(scalar.Shape);
        Assert.Equal(Math.PI, scalar.AsFloat64()[0]);
    }

    [Fact]
    public void Double_quoted_keys_and_reordered_entries_are_accepted()
    {
        var npy = NpyBytes.NpyWithHeader("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"|u1\"}", [9, 8]);

        Assert.Equal([9, 8], NpyReader.Parse("q.npy", npy).AsUInt8().ToArray());
    }

    [Fact]
    public void Fortran_order_is_rejected_naming_the_member()
    {
        var npy = NpyBytes.Npy("<f4", "(2, 2)", NpyBytes.Floats(1, 2, 3, 4), fortran: true);

        var error = Assert.Throws<NumpyFormatException>(() => NpyReader.Parse("train_images.npy", npy));

        Assert.Equal("train_images.npy", error.Member);
        Assert.Contains("Fortran", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Big_endian_float_is_rejected()
    {
        var error = Assert.Throws<NumpyFormatException>(() =>
            NpyReader.Parse("b.npy", NpyBytes.Npy(">f4", "(1,)", NpyBytes.Floats(1))));

        Assert.Contains("big-endian", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<i4")]
    [InlineData("<f2")]
    [InlineData("<U5")]
    [InlineData("|b1")]
    public void Unsupported_dtype_is_rejected_naming_it(string descr)
    {
        var error = Assert.Throws<NumpyFormatException>(() =>
            NpyReader.Parse("x.npy", NpyBytes.Npy(descr, "(1,)", [0, 0, 0, 0])));

        Assert.Contains($"unsupported dtype '{descr}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Structured_dtype_is_rejected()
    {
        var npy = NpyBytes.NpyWithHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0]);

        var error = Assert.Throws<NumpyFormatException>(() => NpyReader.Parse("s.npy", npy));

        Assert.Contains("structured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_data_is_rejected_with_sizes()
    {
        var npy = NpyBytes.Npy("<f4", "(4,)", NpyBytes.Floats(1, 2, 3));

        var error = Assert.Throws<NumpyFormatException>(() => NpyReader.Parse("t.npy", npy));

        Assert.Contains("truncated data", error.Message, StringComparison.Ordinal);
        Assert.Contains("needs 16 bytes, file has 12", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extra_data_after_the_array_is_a_size_mismatch()
    {
        var error = Assert.Throws<NumpyFormatException>(() =>
            NpyReader.Parse("m.npy", NpyBytes.Npy("|u1", "(2, 2)", [1, 2, 3, 4, 5])));

        Assert.Contains("size mismatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_magic_is_rejected()
    {
        var npy = NpyBytes.Npy("|u1", "(1,)", [1]);
        npy[1] = (byte)'X';

        var error = Assert.Throws<NumpyFormatException>(() => NpyReader.Parse("g.npy", npy));

        Assert.Contains("bad magic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_format_version_is_rejected()
    {
        var npy = NpyBytes.Npy("|u1", "(1,)", [1]);
        npy[6] = 9;

        var error = Assert.Throws<NumpyFormatException>(() => NpyReader.Parse("v.npy", npy));

        Assert.Contains("version 9.0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_cut_short_is_rejected()
    {
        var npy = NpyBytes.Npy("|u1", "(1,)", [1]);

        var error = Assert.Throws<NumpyFormatException>(() => NpyReader.Parse("h.npy", npy.AsSpan(0, 30)));

        Assert.Contains("truncated header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_without_shape_is_rejected()
    {
        var npy = NpyBytes.NpyWithHeader("{'descr': '|u1', 'fortran_order': False}", [1]);

        var error = Assert.Throws<NumpyFormatException>(() => NpyReader.Parse("k.npy", npy));

        Assert.Contains("no 'shape' key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_a_typed_view_of_another_dtype_fails()
    {
        var array = NpyReader.Parse("u.npy", NpyBytes.Npy("|u1", "(1,)", [1]));

        var error = Assert.Throws<NumpyFormatException>(() => array.AsFloat32().ToArray());

        Assert.Contains("dtype is |u1, not <f4", error.Message, StringComparison.Ordinal);
    }
}
