namespace Swarm.Learning.Data;

/// <summary>Turns uint8 pixels into the float tensors MedMNIST trains on.</summary>
public static class PixelNormalizer
{
    /// <summary>The value each byte maps to, computed in float32 in the same order as torchvision
    /// (<c>x / 255</c>, then <c>(x − 0.5) / 0.5</c>) so the inputs match PyTorch bit for bit.</summary>
    private static readonly float[] Table = BuildTable();

    /// <summary>The normalized value of one byte.</summary>
    public static float Normalize(byte value) => Table[value];

    /// <summary>Converts <paramref name="count"/> images stored H×W×C (channels last, as NumPy holds RGB
    /// images; C = 1 means H×W) into one N×C×H×W block of normalized floats.</summary>
    public static float[] ToNormalizedChw(ReadOnlySpan<byte> pixels, int count, int height, int width, int channels)
    {
        var plane = height * width;
        var imageSize = plane * channels;
        if (pixels.Length != (long)count * imageSize)
        {
            throw new ArgumentException($"{pixels.Length} bytes are not {count} images of {height}×{width}×{channels}", nameof(pixels));
        }
        var result = new float[(long)count * imageSize];
        for (var n = 0; n < count; n++)
        {
            var source = pixels.Slice(n * imageSize, imageSize);
            var target = result.AsSpan(n * imageSize, imageSize);
            for (var p = 0; p < plane; p++)
            {
                for (var c = 0; c < channels; c++)
                {
                    target[(c * plane) + p] = Table[source[(p * channels) + c]];
                }
            }
        }
        return result;
    }

    private static float[] BuildTable()
    {
        var table = new float[256];
        for (var i = 0; i < table.Length; i++)
        {
            var scaled = i / 255f;
            table[i] = (scaled - 0.5f) / 0.5f;
        }
        return table;
    }
}
