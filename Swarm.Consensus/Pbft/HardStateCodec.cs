using System.Runtime.CompilerServices;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Pbft;

/// <summary>Canonical encoding of <see cref="HardState"/> for the ledger's state table. Version 2 adds the mode,
/// the prepared certificates and the installed new view; version 3 the reason the replica stopped after a fork;
/// version 4 lets a certificate leave out its block when that block is already in the replica's ledger (the
/// block is then named by height and hash, and put back from the ledger when the state is read). An older state
/// still decodes as what it was then: version 1 as a replica in normal mode that holds no certificates, versions
/// 1 and 2 as a replica that never stopped, versions 1 to 3 with every certificate whole.</summary>
public static class HardStateCodec
{
    public const string StoreKey = "pbft.hard-state";
    private const byte Version1 = 1;
    private const byte Version2 = 2;
    private const byte Version3 = 3;
    private const byte Version = 4;
    private const byte WholeCertificate = 0;
    private const byte CertificateOfLedgerBlock = 1;
    private const int HaltReasonMax = 4096;

    /// <summary>Each prepared certificate is encoded once: a hard state is written at every vote and repeats every
    /// certificate above the stable checkpoint (up to L blocks), which would otherwise be re-encoded each time.
    /// Keyed by the immutable certificate object, released with it.</summary>
    private static readonly ConditionalWeakTable<PreparedProof, byte[]> EncodedCertificates = new();

    /// <summary>The same for certificates written without their block (a few hundred bytes each).</summary>
    private static readonly ConditionalWeakTable<PreparedProof, byte[]> EncodedLedgerCertificates = new();

    /// <summary>Every certificate whole: what a state must be when no ledger is at hand to read it back with.</summary>
    public static byte[] Encode(HardState state) => Encode(state, ledgerHashAt: null);

    /// <summary>The certificates dominate the size, so the result is assembled in one array of the exact size from
    /// the small parts around them and each certificate's cached bytes. A certificate whose block the ledger already
    /// holds at its height (<paramref name="ledgerHashAt"/> gives the ledger's block hash at a height, null above its
    /// head) is written without the block: with the blocks above the stable checkpoint executed, a state written at
    /// every vote then repeats a few hundred bytes per certificate instead of whole blocks. The owner must have made
    /// those blocks durable before this state (blocks are journaled ahead of the state that follows them).</summary>
    public static byte[] Encode(HardState state, Func<long, Digest?>? ledgerHashAt)
    {
        var head = new CanonicalWriter();
        head.WriteByte(Version).WriteInt64(state.View).WriteInt64(state.VotedThrough).WriteInt64(state.StableSequence)
            .WriteDigest(state.StableHash).WriteInt64(state.StableTimestampMs).WriteInt32(state.StableProof.Count);
        foreach (var signed in state.StableProof)
        {
            MessageCodec.WriteSigned(head, signed);
        }
        head.WriteByte((byte)state.Mode);
        head.WriteInt32(state.PreparedCertificates.Count);
        var certificates = new byte[state.PreparedCertificates.Count][];
        var certificateBytes = 0L;
        for (var i = 0; i < certificates.Length; i++)
        {
            var proof = state.PreparedCertificates[i];
            certificates[i] = ledgerHashAt?.Invoke(proof.Proposal.Sequence) is { } inLedger && inLedger == proof.Proposal.Block.Hash
                ? EncodedLedgerCertificates.GetValue(proof, EncodeLedgerCertificate)
                : EncodedCertificates.GetValue(proof, EncodeCertificate);
            certificateBytes += certificates[i].Length;
        }
        var tail = new CanonicalWriter(64);
        tail.WriteByte(state.NewView is null ? (byte)0 : (byte)1);
        if (state.NewView is not null)
        {
            MessageCodec.WriteSigned(tail, state.NewView);
        }
        tail.WriteByte(state.HaltedBecause is null ? (byte)0 : (byte)1);
        if (state.HaltedBecause is not null)
        {
            tail.WriteString(Truncate(state.HaltedBecause));
        }
        var encoded = new byte[checked(head.Length + certificateBytes + tail.Length)];
        var at = encoded.AsSpan();
        head.WrittenSpan.CopyTo(at);
        at = at[head.Length..];
        foreach (var certificate in certificates)
        {
            certificate.CopyTo(at);
            at = at[certificate.Length..];
        }
        tail.WrittenSpan.CopyTo(at);
        return encoded;
    }

    private static byte[] EncodeCertificate(PreparedProof proof)
    {
        var writer = new CanonicalWriter(proof.Proposal.Block.Encoded.Length + 1024);
        writer.WriteByte(WholeCertificate);
        MessageCodec.WritePrepared(writer, proof);
        return writer.ToArray();
    }

    /// <summary>The pre-prepare's fields with its block named by hash (its height is the sequence), its signature,
    /// and the prepares.</summary>
    private static byte[] EncodeLedgerCertificate(PreparedProof proof)
    {
        var proposal = proof.Proposal;
        var writer = new CanonicalWriter(1024);
        writer.WriteByte(CertificateOfLedgerBlock).WriteInt32(proposal.Sender).WriteInt64(proposal.View).WriteInt64(proposal.Sequence)
            .WriteDigest(proposal.Block.Hash).WriteBytes(proof.PrePrepare.Signature);
        MessageCodec.WriteSignedList(writer, proof.Prepares);
        return writer.ToArray();
    }

    /// <summary>Reads a state whose certificates are all whole (versions 1 to 3, or 4 written without a ledger).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out HardState? state, out string error) =>
        TryDecode(bytes, ledgerBlockAt: null, out state, out error);

    /// <summary>Reads a state; a certificate written without its block takes it from <paramref name="ledgerBlockAt"/>
    /// (the ledger's block at a height, null above its head). A state naming a block the ledger lacks, or whose hash
    /// differs from the ledger's, is refused with the height: the replica must not start without its certificates.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, Func<long, Block?>? ledgerBlockAt, out HardState? state, out string error)
    {
        try
        {
            var reader = new CanonicalReader(bytes);
            var version = reader.ReadByte();
            if (version is not (Version1 or Version2 or Version3 or Version))
            {
                throw new CanonicalFormatException($"hard state version {version}, this build reads {Version1} to {Version}");
            }
            var view = reader.ReadInt64();
            var voted = reader.ReadInt64();
            var stable = reader.ReadInt64();
            var hash = reader.ReadDigest();
            var timestamp = reader.ReadInt64();
            var count = reader.ReadCount(MessageCodec.ListMax, "checkpoint proof");
            var proof = new SignedMessage[count];
            for (var i = 0; i < count; i++)
            {
                proof[i] = MessageCodec.ReadSigned(ref reader);
            }
            state = new HardState(view, voted, stable, hash, timestamp, proof);
            if (version >= Version2)
            {
                state = ReadVersion2(ref reader, state, version >= Version ? ledgerBlockAt ?? NoLedger : null);
            }
            if (version >= Version3)
            {
                state = ReadHalt(ref reader, state);
            }
            reader.ExpectEnd();
            error = "";
            return true;
        }
        catch (CanonicalFormatException e)
        {
            state = null;
            error = "malformed hard state: " + e.Message;
            return false;
        }
    }

    private static Block? NoLedger(long height) => null;

    /// <summary>Version 2's part; <paramref name="ledgerBlockAt"/> non-null: version 4's tagged certificates.</summary>
    private static HardState ReadVersion2(ref CanonicalReader reader, HardState state, Func<long, Block?>? ledgerBlockAt)
    {
        var mode = reader.ReadByte();
        if (mode > (byte)ReplicaMode.ViewChange)
        {
            throw new CanonicalFormatException($"hard state mode {mode} is unknown");
        }
        var prepared = ledgerBlockAt is null ? MessageCodec.ReadPreparedList(ref reader) : ReadTaggedCertificates(ref reader, ledgerBlockAt);
        if (prepared.Any(p => p.PrePrepare.Message is not PrePrepare))
        {
            throw new CanonicalFormatException("hard state holds a prepared certificate without a pre-prepare");
        }
        var hasNewView = reader.ReadByte();
        if (hasNewView > 1)
        {
            throw new CanonicalFormatException($"hard state new-view flag {hasNewView}");
        }
        var newView = hasNewView == 1 ? MessageCodec.ReadSigned(ref reader) : null;
        if (newView is not null && newView.Message is not Pbft.NewView)
        {
            throw new CanonicalFormatException("hard state holds another message where its new view belongs");
        }
        return state with { Mode = (ReplicaMode)mode, Prepared = prepared, NewView = newView };
    }

    private static PreparedProof[] ReadTaggedCertificates(ref CanonicalReader reader, Func<long, Block?> ledgerBlockAt)
    {
        var count = reader.ReadCount(MessageCodec.ListMax, "prepared list");
        var prepared = new PreparedProof[count];
        for (var i = 0; i < count; i++)
        {
            var tag = reader.ReadByte();
            if (tag == WholeCertificate)
            {
                prepared[i] = new PreparedProof(MessageCodec.ReadSigned(ref reader), MessageCodec.ReadSignedList(ref reader));
                continue;
            }
            if (tag != CertificateOfLedgerBlock)
            {
                throw new CanonicalFormatException($"hard state certificate tag {tag} is unknown");
            }
            var sender = reader.ReadInt32();
            var view = reader.ReadInt64();
            var sequence = reader.ReadInt64();
            var hash = reader.ReadDigest();
            var signature = reader.ReadBytes(MessageCodec.SignatureBytesMax);
            var prepares = MessageCodec.ReadSignedList(ref reader);
            var block = ledgerBlockAt(sequence)
                ?? throw new CanonicalFormatException($"its prepared certificate for height {sequence} names block {hash} of the ledger, " +
                    "which the ledger does not hold");
            if (block.Hash != hash || block.Height != sequence)
            {
                throw new CanonicalFormatException($"its prepared certificate for height {sequence} names block {hash}, but the ledger holds " +
                    $"block {block.Hash} there");
            }
            prepared[i] = new PreparedProof(new SignedMessage(new PrePrepare(sender, view, sequence, block), signature), prepares);
        }
        return prepared;
    }

    private static HardState ReadHalt(ref CanonicalReader reader, HardState state)
    {
        var halted = reader.ReadByte();
        if (halted > 1)
        {
            throw new CanonicalFormatException($"hard state halt flag {halted}");
        }
        return halted == 1 ? state with { HaltedBecause = reader.ReadString(HaltReasonMax) } : state;
    }

    /// <summary>A reason of at most a quarter of the limit in characters stays within it in UTF-8 bytes.</summary>
    private static string Truncate(string reason) => reason.Length <= HaltReasonMax / 4 ? reason : reason[..(HaltReasonMax / 4)];
}
