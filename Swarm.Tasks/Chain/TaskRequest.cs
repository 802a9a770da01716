using Swarm.Consensus.Encoding;
using Swarm.Learning.Privacy.SecureAggregation;

namespace Swarm.Tasks;

/// <summary>What a site asks the task's chain to record. Each one travels as a PBFT client request whose payload
/// is the canonical body plus the site's Ed25519 signature over (chain id, body), so a replica cannot put words in
/// another site's mouth: <see cref="TaskChain"/> checks the signature against the genesis member key of the site
/// the body names before it applies anything.</summary>
public abstract record TaskRequest(int Round, string Site)
{
    private const string Domain = "swarm.task-request.v1";
    private const int HashBytesMax = 128;
    private const int ReasonBytesMax = 1_024;

    /// <summary>Validation metrics ride as integers in millionths so that every machine encodes them identically.</summary>
    private const double MetricScale = 1_000_000;

    public byte[] EncodeBody()
    {
        var writer = new CanonicalWriter(160);
        writer.WriteString(Domain).WriteInt32(Round).WriteString(Site);
        switch (this)
        {
            case UpdatePublished { Privacy: null } update:
                writer.WriteByte(1).WriteString(update.UpdateHash).WriteInt64(update.SampleCount);
                break;
            case UpdatePublished { Privacy: { } claim } update:
                // A kind of its own, so that the bytes of an update without DP stay what they were.
                writer.WriteByte(7).WriteString(update.UpdateHash).WriteInt64(update.SampleCount);
                WriteDouble(writer, claim.SamplingRate);
                WriteDouble(writer, claim.NoiseMultiplier);
                writer.WriteInt64(claim.Steps);
                WriteDouble(writer, claim.Delta);
                WriteDouble(writer, claim.Epsilon);
                break;
            case BudgetRefused refused:
                writer.WriteByte(8);
                WriteDouble(writer, refused.EpsilonSpent);
                WriteDouble(writer, refused.EpsilonAfterRound);
                WriteDouble(writer, refused.BudgetEpsilon);
                WriteDouble(writer, refused.Delta);
                break;
            case CloseRound:
                writer.WriteByte(2);
                break;
            case AggregateVote vote:
                writer.WriteByte(3).WriteString(vote.UpdateSetDigest).WriteString(vote.AggregateHash).WriteString(vote.ModelHash);
                break;
            case CancellationRequest cancel:
                writer.WriteByte(4).WriteString(cancel.Reason);
                break;
            case SiteRejoined:
                writer.WriteByte(6);
                break;
            case SecAggKeysPublished keys:
                writer.WriteByte(9).WriteBytes(keys.CipherPublicKey).WriteBytes(keys.MaskPublicKey);
                break;
            case SecAggSharesPublished shares:
                writer.WriteByte(10).WriteBytes(shares.SelfMaskCommitment).WriteInt32(shares.Shares.Count);
                foreach (var entry in shares.Shares)
                {
                    writer.WriteInt32(entry.Holder).WriteBytes(entry.Ciphertext).WriteBytes(entry.MaskKeyShareCommitment)
                        .WriteBytes(entry.SelfMaskShareCommitment);
                }
                break;
            case SecAggUnmaskPublished unmask:
                writer.WriteByte(11);
                WriteShares(writer, unmask.SelfMaskShares);
                WriteShares(writer, unmask.MaskKeyShares);
                break;
            case ShareKeyPublished key:
                writer.WriteByte(12).WriteBytes(key.PublicKey);
                break;
            case PartialSumPublished sum:
                writer.WriteByte(13).WriteString(sum.SumHash);
                break;
            case SamplesDeclared declared:
                writer.WriteByte(14);
                SampleDeclaration.WriteAll(writer, declared.Declarations);
                break;
            case UpdatesMissing missing:
                writer.WriteByte(15).WriteString(missing.UpdateSetDigest).WriteInt32(missing.Sites.Count);
                foreach (var site in missing.Sites)
                {
                    writer.WriteString(site);
                }
                break;
            case ValidationReport report:
                writer.WriteByte(5).WriteInt64(Scale(report.Auc)).WriteInt64(Scale(report.Accuracy)).WriteInt32(report.Count);
                break;
            default:
                throw new InvalidOperationException($"no encoding for {GetType().Name}");
        }
        return writer.ToArray();
    }

    /// <summary>The payload of the client request: body, then the signature over (chain id, body).</summary>
    public byte[] ToPayload(string chainId, Func<byte[], byte[]> sign)
    {
        return SignedPayload.Seal(chainId, EncodeBody(), sign);
    }

    /// <summary>Splits a payload into body and signature and decodes the body; null with a reason when malformed.</summary>
    public static TaskRequest? TryDecode(byte[] payload, out byte[] body, out byte[] signature, out string problem)
    {
        body = [];
        signature = [];
        try
        {
            if (!SignedPayload.Open(payload, Domain, out body, out signature, out var reader))
            {
                problem = "not a task request";
                return null;
            }
            var round = reader.ReadInt32();
            var site = reader.ReadString(SiteBytesMax);
            TaskRequest request = reader.ReadByte() switch
            {
                1 => new UpdatePublished(round, site, reader.ReadString(HashBytesMax), reader.ReadInt64()),
                2 => new CloseRound(round, site),
                3 => new AggregateVote(round, site, reader.ReadString(HashBytesMax), reader.ReadString(HashBytesMax),
                    reader.ReadString(HashBytesMax)),
                4 => new CancellationRequest(site, reader.ReadString(ReasonBytesMax)) { Round = round },
                6 => new SiteRejoined(round, site),
                5 => new ValidationReport(round, site, Unscale(reader.ReadInt64()), Unscale(reader.ReadInt64()), reader.ReadInt32()),
                7 => new UpdatePublished(round, site, reader.ReadString(HashBytesMax), reader.ReadInt64())
                {
                    Privacy = new PrivacyClaim(ReadDouble(ref reader), ReadDouble(ref reader), reader.ReadInt64(), ReadDouble(ref reader), ReadDouble(ref reader)),
                },
                9 => new SecAggKeysPublished(round, site, reader.ReadBytes(SecAggBytesMax), reader.ReadBytes(SecAggBytesMax)),
                10 => ReadShares(ref reader, round, site),
                11 => new SecAggUnmaskPublished(round, site, ReadShareMap(ref reader), ReadShareMap(ref reader)),
                12 => new ShareKeyPublished(round, site, reader.ReadBytes(SecAggBytesMax)),
                13 => new PartialSumPublished(round, site, reader.ReadString(HashBytesMax)),
                14 => new SamplesDeclared(site, SampleDeclaration.ReadAll(ref reader)) { Round = round },
                15 => ReadMissing(ref reader, round, site),
                8 => new BudgetRefused(round, site, ReadDouble(ref reader), ReadDouble(ref reader), ReadDouble(ref reader), ReadDouble(ref reader)),
                var kind => throw new CanonicalFormatException($"unknown task request kind {kind}"),
            };
            reader.ExpectEnd();
            problem = "";
            return request;
        }
        catch (CanonicalFormatException e)
        {
            problem = $"malformed task request: {e.Message}";
            return null;
        }
    }

    /// <summary>Keys, commitments, ciphertexts and Shamir shares of secure aggregation are all far below this.</summary>
    private const int SecAggBytesMax = 256;

    /// <summary>Entries keyed by site in one request (share entries, revealed shares, sites named missing): one per
    /// site at most.</summary>
    private const int SiteEntriesMax = SecAggParameters.SitesMax;

    /// <summary>A site's name in a request.</summary>
    private const int SiteBytesMax = 256;

    private static SecAggSharesPublished ReadShares(ref CanonicalReader reader, int round, string site)
    {
        var commitment = reader.ReadBytes(SecAggBytesMax);
        var count = reader.ReadCount(SiteEntriesMax, "share entries");
        var entries = new List<EncryptedShares>(count);
        for (var i = 0; i < count; i++)
        {
            entries.Add(new EncryptedShares(reader.ReadInt32(), reader.ReadBytes(SecAggBytesMax), reader.ReadBytes(SecAggBytesMax),
                reader.ReadBytes(SecAggBytesMax)));
        }
        return new SecAggSharesPublished(round, site, commitment, entries);
    }

    private static UpdatesMissing ReadMissing(ref CanonicalReader reader, int round, string site)
    {
        var digest = reader.ReadString(HashBytesMax);
        var count = reader.ReadCount(SiteEntriesMax, "missing-update sites");
        if (count == 0)
        {
            throw new CanonicalFormatException("a missing-update report names no site");
        }
        var sites = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            sites.Add(reader.ReadString(SiteBytesMax));
        }
        return new UpdatesMissing(round, site, digest, sites);
    }

    /// <summary>Revealed shares by owner, in ascending owner order (so the bytes are canonical).</summary>
    private static void WriteShares(CanonicalWriter writer, IReadOnlyDictionary<int, byte[]> shares)
    {
        writer.WriteInt32(shares.Count);
        foreach (var (owner, share) in shares.OrderBy(p => p.Key))
        {
            writer.WriteInt32(owner).WriteBytes(share);
        }
    }

    private static SortedDictionary<int, byte[]> ReadShareMap(ref CanonicalReader reader)
    {
        var count = reader.ReadCount(SiteEntriesMax, "revealed shares");
        var shares = new SortedDictionary<int, byte[]>();
        for (var i = 0; i < count; i++)
        {
            var owner = reader.ReadInt32();
            if (!shares.TryAdd(owner, reader.ReadBytes(SecAggBytesMax)))
            {
                throw new CanonicalFormatException($"site {owner}'s share revealed twice");
            }
        }
        return shares;
    }

    /// <summary>Privacy numbers travel as their exact IEEE-754 bits: a replica recomputes ε from them.</summary>
    private static void WriteDouble(CanonicalWriter writer, double value) => writer.WriteInt64(BitConverter.DoubleToInt64Bits(value));

    private static double ReadDouble(ref CanonicalReader reader) => BitConverter.Int64BitsToDouble(reader.ReadInt64());

    private static long Scale(double metric) => double.IsFinite(metric) ? (long)Math.Round(metric * MetricScale) : -1;

    private static double Unscale(long value) => value < 0 ? double.NaN : value / MetricScale;
}

/// <summary>The site's deadline passed again after round <paramref name="Round"/> closed on the update set
/// <paramref name="UpdateSetDigest"/>, and it still cannot get the included updates of <paramref name="Sites"/>
/// from anyone (their publisher is down for good, or withholds the bytes). Once f + 1 sites name the same update
/// (so at least one honest site could not get it), the chain drops it and closes the round again without it.</summary>
public sealed record UpdatesMissing(int Round, string Site, string UpdateSetDigest, IReadOnlyList<string> Sites) : TaskRequest(Round, Site);

/// <summary>A site's update for <paramref name="Round"/> is published: its SHA-256 and the samples it trained on
/// (the FedAvg weight). The bytes themselves travel between the sites, never through the chain.</summary>
public sealed record UpdatePublished(int Round, string Site, string UpdateHash, long SampleCount) : TaskRequest(Round, Site)
{
    /// <summary>In a local-DP task: the accountant's parameters behind the update and the ε the site has spent so far
    /// (every replica recomputes it); null in a task without DP.</summary>
    public PrivacyClaim? Privacy { get; init; }
}

/// <summary>The site will not train round <paramref name="Round"/>: it would bring its ε (at the task's
/// <paramref name="Delta"/>) from <paramref name="EpsilonSpent"/> to <paramref name="EpsilonAfterRound"/>, over its
/// policy's budget <paramref name="BudgetEpsilon"/>. The task ends for every site at the block that records it.</summary>
public sealed record BudgetRefused(int Round, string Site, double EpsilonSpent, double EpsilonAfterRound, double BudgetEpsilon, double Delta)
    : TaskRequest(Round, Site)
{
    /// <summary>The reason as the chain and <c>swarm task show</c> give it.</summary>
    public string Reason => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"privacy budget: round {Round} would bring site '{Site}' from ε = {EpsilonSpent:G4} to ε = {EpsilonAfterRound:G4} " +
        $"(δ = {Delta:G3}), over its budget ε = {BudgetEpsilon:G4}");
}

/// <summary>The site's round deadline passed: close the round with the updates recorded so far.</summary>
public sealed record CloseRound(int Round, string Site) : TaskRequest(Round, Site);

/// <summary>The site recomputed the round's aggregate from the included updates' bytes and got these digests.</summary>
public sealed record AggregateVote(int Round, string Site, string UpdateSetDigest, string AggregateHash, string ModelHash)
    : TaskRequest(Round, Site);

/// <summary>The site scored round <paramref name="Round"/>'s final global model on its own validation slice of
/// <paramref name="Count"/> images (sent after the round is final, off the round's critical path; NaN AUC when
/// the slice holds one class).</summary>
public sealed record ValidationReport(int Round, string Site, double Auc, double Accuracy, int Count) : TaskRequest(Round, Site);

/// <summary>A participant cancels the task; every site stops at the block that records it.</summary>
public sealed record CancellationRequest(string Site, string Reason) : TaskRequest(0, Site);

/// <summary>The site restarted and rejoins at <paramref name="Round"/>. Recorded for the audit trail; committing
/// it also shows the restarted replica how far the chain has gone, which starts its state transfer even when the
/// others have nothing left to order.</summary>
public sealed record SiteRejoined(int Round, string Site) : TaskRequest(Round, Site);

/// <summary>Secure aggregation, round 0 (Bonawitz et al. 2017, AdvertiseKeys) of task round <paramref name="Round"/>:
/// the site's two fresh X25519 public keys. The chain fixes U1, the set every site deals shares to.</summary>
public sealed record SecAggKeysPublished(int Round, string Site, byte[] CipherPublicKey, byte[] MaskPublicKey) : TaskRequest(Round, Site);

/// <summary>Secure aggregation, round 1 (ShareKeys): the site's Shamir shares of its mask key and self-mask seed,
/// each pair encrypted to its holder, with commitments. The chain fixes U2, the sites whose masked updates count.</summary>
public sealed record SecAggSharesPublished(int Round, string Site, byte[] SelfMaskCommitment, IReadOnlyList<EncryptedShares> Shares)
    : TaskRequest(Round, Site);

/// <summary>Secure aggregation, round 3 (Unmasking): a surviving site's answer to the unmask request that the closed
/// round determines (survivors: the included updates' sites; dropped: the rest of U2): the shares it holds of the
/// survivors' self-mask seeds and of the dropped sites' mask keys.</summary>
public sealed record SecAggUnmaskPublished(
    int Round, string Site, IReadOnlyDictionary<int, byte[]> SelfMaskShares, IReadOnlyDictionary<int, byte[]> MaskKeyShares)
    : TaskRequest(Round, Site);

/// <summary>Secret sharing, first step of task round <paramref name="Round"/>: the site's fresh X25519 session key, to
/// which the other sites seal the shares they deal it. The chain fixes the round's keys once all sites sent theirs.</summary>
public sealed record ShareKeyPublished(int Round, string Site, byte[] PublicKey) : TaskRequest(Round, Site);

/// <summary>Secret sharing, last step: the SHA-256 of the blob holding the sum of the shares the site holds (its own
/// kept share and one from each other site); the round's total is the sum of all sites' partial sums.</summary>
public sealed record PartialSumPublished(int Round, string Site, string SumHash) : TaskRequest(Round, Site);

/// <summary>Every participant's sample count as declared (and signed) with its consent and carried by the task's
/// start, submitted by <paramref name="Site"/> before its first round. Every replica checks each declaration against
/// the member's key in the chain's genesis; the first valid record fixes every site's FedAvg weight for the task
/// (<see cref="TaskChainTerms.SamplesDeclaredAtConsent"/>).</summary>
public sealed record SamplesDeclared(string Site, IReadOnlyList<SampleDeclaration> Declarations) : TaskRequest(0, Site);
