using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Tasks;

/// <summary>
/// A participant's sample count for a task, declared with its consent: the training images of its own data set for
/// the task (the train split after the data set's limits), which is its FedAvg weight for the whole task. Signed by
/// the participant's signing key (its <c>signing-key</c> in the consortium, the key the task's chain lists for it)
/// over (chain id, body) under the domain <see cref="Domain"/>, so the submitter and every replica of the task's
/// chain can check who declared what, for which task, and a declaration cannot be replayed into another task or read
/// as another kind of statement.
/// </summary>
/// <param name="TaskId">The task's id.</param>
/// <param name="Site">The declaring participant.</param>
/// <param name="SampleCount">Its training samples for the task.</param>
/// <param name="Signature">Its Ed25519 signature over <see cref="SigningBytes"/> with the task's chain id.</param>
public sealed record SampleDeclaration(string TaskId, string Site, long SampleCount, byte[] Signature)
{
    public const string Domain = "swarm.sample-declaration.v1";

    private const int IdBytesMax = 256;

    /// <summary>Declarations in one start or chain record: one per participant at most.</summary>
    public const int DeclarationsMax = 1_024;

    /// <summary>The bytes a participant signs: the chain id, then (domain, task id, site, count).</summary>
    public static byte[] SigningBytes(string chainId, string taskId, string site, long sampleCount) =>
        SignedPayload.SigningBytes(chainId, new CanonicalWriter(96).WriteString(Domain).WriteString(taskId).WriteString(site)
            .WriteInt64(sampleCount).ToArray());

    /// <summary>The declaration of <paramref name="site"/> for the task whose chain is <paramref name="chainId"/>.</summary>
    public static SampleDeclaration Sign(string chainId, string taskId, string site, long sampleCount, Func<byte[], byte[]> sign)
    {
        ArgumentNullException.ThrowIfNull(sign);
        return new SampleDeclaration(taskId, site, sampleCount, sign(SigningBytes(chainId, taskId, site, sampleCount)));
    }

    /// <summary>Why this declaration does not hold as <paramref name="expectedSite"/>'s for task
    /// <paramref name="taskId"/> on chain <paramref name="chainId"/> (wrong task or site, a count below 1 or over
    /// <paramref name="sampleCountMax"/> when that is positive, a signature that is not by
    /// <paramref name="publicKey"/>); null when it holds.</summary>
    public string? Problem(string chainId, string taskId, string expectedSite, long sampleCountMax, byte[]? publicKey, ISignatureVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        if (TaskId != taskId)
        {
            return $"the sample declaration of '{Site}' names task '{TaskId}', not '{taskId}'";
        }
        if (Site != expectedSite)
        {
            return $"the sample declaration for '{expectedSite}' names site '{Site}'";
        }
        if (SampleCount < 1)
        {
            return $"'{Site}' declares {SampleCount} training samples; at least 1 is needed";
        }
        if (sampleCountMax > 0 && SampleCount > sampleCountMax)
        {
            return $"'{Site}' declares {SampleCount} training samples; the task allows at most {sampleCountMax} per site";
        }
        if (publicKey is null)
        {
            return $"no signing key is known for '{Site}'";
        }
        return verifier.Verify(publicKey, SigningBytes(chainId, TaskId, Site, SampleCount), Signature)
            ? null
            : $"the sample declaration of '{Site}' ({SampleCount} samples) is not signed by its key";
    }

    /// <summary>Canonical form inside a larger message (a chain record, a journal entry).</summary>
    public void WriteTo(CanonicalWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString(TaskId).WriteString(Site).WriteInt64(SampleCount).WriteBytes(Signature);
    }

    public static SampleDeclaration ReadFrom(ref CanonicalReader reader) =>
        new(reader.ReadString(IdBytesMax), reader.ReadString(IdBytesMax), reader.ReadInt64(), reader.ReadBytes(SignedPayload.SignatureBytesMax));

    /// <summary>A list of declarations: its count, then each.</summary>
    public static void WriteAll(CanonicalWriter writer, IReadOnlyList<SampleDeclaration> declarations)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(declarations);
        writer.WriteInt32(declarations.Count);
        foreach (var declaration in declarations)
        {
            declaration.WriteTo(writer);
        }
    }

    public static IReadOnlyList<SampleDeclaration> ReadAll(ref CanonicalReader reader)
    {
        var count = reader.ReadCount(DeclarationsMax, "sample declarations");
        var declarations = new SampleDeclaration[count];
        for (var i = 0; i < count; i++)
        {
            declarations[i] = ReadFrom(ref reader);
        }
        return declarations;
    }

    /// <summary>Equal content (records compare arrays by reference).</summary>
    public bool SameAs(SampleDeclaration? other) => other is not null && TaskId == other.TaskId && Site == other.Site
        && SampleCount == other.SampleCount && Signature.AsSpan().SequenceEqual(other.Signature);
}
