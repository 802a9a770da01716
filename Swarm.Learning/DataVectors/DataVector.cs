using Swarm.Learning.Updates;

namespace Swarm.Learning.DataVectors;

/// <summary>
/// A site's data vector τ = θ_site − θ_pre (Tian et al., arXiv 2408.13038; the task vectors of Ilharco et al.,
/// ICLR 2023): what its fine-tuning on its own data moved the shared pre-trained model by. It names the pre-trained
/// model it was taken from by <see cref="ModelDigest"/> hex, the publishing site, the number of training samples
/// behind it (the weight of the sample-weighted merge) and the site's sequence number (a later one replaces an
/// earlier one). The vector covers the whole flat parameter vector of the model's layout.
/// </summary>
public sealed record DataVector
{
    public DataVector(string site, string baseHash, long sampleCount, long sequence, float[] delta)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(site);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseHash);
        ArgumentNullException.ThrowIfNull(delta);
        Site = site;
        BaseHash = baseHash;
        SampleCount = sampleCount;
        Sequence = sequence;
        Delta = delta;
    }

    public string Site { get; }

    /// <summary><see cref="ModelDigest.Hex"/> of the pre-trained parameters the vector was taken from.</summary>
    public string BaseHash { get; }

    public long SampleCount { get; }

    public long Sequence { get; }

    /// <summary>τ in float32, one value per coordinate of the flat parameter vector.</summary>
    public float[] Delta { get; }

    /// <summary>SHA-256 hex of τ's float32 bytes: what a chain records for the vector's blob.</summary>
    public string Hash => ModelDigest.Hex(Delta);

    /// <summary>τ = θ_site − θ_pre, coordinate by coordinate in float32 (one rounding per coordinate, so every
    /// machine gets the same bits).</summary>
    public static DataVector From(string site, ReadOnlySpan<float> pretrained, ReadOnlySpan<float> finetuned,
        long sampleCount, long sequence)
    {
        if (pretrained.Length != finetuned.Length)
        {
            throw new ArgumentException(
                $"the fine-tuned model has {finetuned.Length} parameters, the pre-trained one {pretrained.Length}");
        }
        var delta = new float[pretrained.Length];
        for (var i = 0; i < delta.Length; i++)
        {
            delta[i] = finetuned[i] - pretrained[i];
        }
        return new DataVector(site, ModelDigest.Hex(pretrained), sampleCount, sequence, delta);
    }
}
