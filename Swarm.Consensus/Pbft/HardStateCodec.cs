using System.Runtime.CompilerServices;
using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Pbft;

/// <summary>Canonical encoding of <see cref="HardState"/> for the ledger's state table. Version 2 adds the mode,
/// the prepared certificates and the installed new view; version 3 the reason the replica stopped after a fork. An
/// older state still decodes as what it was then: version 1 as a replica in normal mode that holds no certificates,
/// versions 1 and 2 as a replica that never stopped.</summary>
public static class HardStateCodec
{
    public const string StoreKey = "pbft.hard-state";
    private const byte Version1 = 1;
    private const byte Version2 = 2;
    private const byte Version = 3;
    private const int HaltReasonMax = 4096;

    /// <summary>Each prepared certificate is encoded once: a hard state is written at every vote and repeats every
    /// certificate above the stable checkpoint (up to L blocks), which would otherwise be re-encoded each time.
    /// Keyed by the immutable certificate object, released with it.</summary>
    private static readonly ConditionalWeakTable<PreparedProof, byte[]> EncodedCertificates = new();

    /// <summary>The certificates dominate the size (each holds its block), so the result is assembled in one array of
    /// the exact size from the small parts around them and each certificate's cached bytes: a state written at every
    /// vote costs one copy of each certificate, not the repeated copies of a growing buffer.</summary>
    public static byte[] Encode(HardState state)
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
            certificates[i] = EncodedCertificates.GetValue(state.PreparedCertificates[i], EncodeCertificate);
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
        var writer = new CanonicalWriter(proof.Proposal.Block.Requests.Sum(r => r.Payload.Length + r.SignatureBytes.Length + 64) + 1024);
        MessageCodec.WritePrepared(writer, proof);
        return writer.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> bytes, out HardState? state, out string error)
    {
        try
        {
            var reader = new CanonicalReader(bytes);
            var version = reader.ReadByte();
            if (version is not (Version1 or Version2 or Version))
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
                state = ReadVersion2(ref reader, state);
            }
            if (version >= Version)
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

    private static HardState ReadVersion2(ref CanonicalReader reader, HardState state)
    {
        var mode = reader.ReadByte();
        if (mode > (byte)ReplicaMode.ViewChange)
        {
            throw new CanonicalFormatException($"hard state mode {mode} is unknown");
        }
        var prepared = MessageCodec.ReadPreparedList(ref reader);
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
