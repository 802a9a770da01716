using System.IO.Compression;
using Swarm.Learning.Data.Numpy;

namespace Swarm.Tests.Data;

public sealed class NpzArchiveTests
{
    [Theory]
    [InlineData(CompressionLevel.NoCompression)]
    [InlineData(CompressionLevel.Optimal)]
    public void Stored_and_deflated_members_are_read(CompressionLevel level)
    {
        var bytes = NpyBytes.Npz(
            level,
            ("images", NpyBytes.Npy("|u1", "(2, 2)", [1, 2, 3, 4])),
            ("weights", NpyBytes.Npy("<f4", "(2,)", NpyBytes.Floats(0.5f, 2f))));

        using var archive = NpzArchive.Open("t.npz", new MemoryStream(bytes));

        Assert.Equal(["images", "weights"], archive.Names);
        Assert.Equal([1, 2, 3, 4], archive.Read("images").AsUInt8().ToArray());
        Assert.Equal([0.5f, 2f], archive.Read("weights.npy").AsFloat32().ToArray());
    }

    [Fact]
    public void Missing_member_names_the_archive_and_what_it_holds()
    {
        var bytes = NpyBytes.Npz(CompressionLevel.Optimal, ("train_images", NpyBytes.Npy("|u1", "(1,)", [1])));
        using var archive = NpzArchive.Open("p.npz", new MemoryStream(bytes));

        var error = Assert.Throws<NumpyFormatException>(() => archive.Read("test_labels"));

        Assert.Equal("p.npz:test_labels", error.Member);
        Assert.Contains("archive has: train_images", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_member_inside_an_archive_is_reported_with_archive_and_member()
    {
        var bytes = NpyBytes.Npz(
            CompressionLevel.Optimal, ("labels", NpyBytes.Npy("<f4", "(2,)", NpyBytes.Floats(1, 2), fortran: true)));
        using var archive = NpzArchive.Open("c.npz", new MemoryStream(bytes));

        var error = Assert.Throws<NumpyFormatException>(() => archive.Read("labels"));

        Assert.Equal("c.npz:labels.npy", error.Member);
    }

    [Fact]
    public void Truncated_archive_is_rejected_as_unreadable()
    {
        var bytes = NpyBytes.Npz(CompressionLevel.Optimal, ("a", NpyBytes.Npy("|u1", "(64,)", new byte[64])));

        var error = Assert.Throws<NumpyFormatException>(() =>
            NpzArchive.Open("cut.npz", new MemoryStream(bytes[..(bytes.Length / 2)])));

        Assert.Equal("cut.npz", error.Member);
        Assert.Contains("not a readable .npz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_deflate_stream_is_reported_for_the_member()
    {
        var payload = new byte[4096];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(i * 7);
        }
        var bytes = NpyBytes.Npz(CompressionLevel.Optimal, ("noise", NpyBytes.Npy("|u1", "(4096,)", payload)));
        // Overwrite the middle of the compressed data (the local header is the first 30 + name bytes).
        for (var i = 60; i < 200; i++)
        {
            bytes[i] = 0xFF;
        }
        using var archive = NpzArchive.Open("z.npz", new MemoryStream(bytes));

        var error = Assert.Throws<NumpyFormatException>(() => archive.Read("noise"));

        Assert.StartsWith("z.npz:noise.npy", error.Member, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_a_format_error_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"swarm-missing-{Guid.NewGuid():N}.npz");

        var error = Assert.Throws<NumpyFormatException>(() => NpzArchive.Open(path));

        Assert.Equal(path, error.Member);
    }
}
