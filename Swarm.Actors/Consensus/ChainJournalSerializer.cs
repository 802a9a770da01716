using System.Buffers.Binary;
using Akka.Actor;
using Akka.Serialization;
using Swarm.Consensus.Blocks;

namespace Swarm.Actors.Consensus;

/// <summary>
/// The journal format of a chain: blocks and certificates in their canonical encodings, the hard state in
/// <see cref="Swarm.Consensus.Pbft.HardStateCodec"/>'s, each behind a 4-byte big-endian length. A row that does not
/// decode throws <see cref="ChainJournalException"/> naming the entry kind and the reason, which stops the chain
/// actor's recovery before the replica runs on a partial ledger.
/// </summary>
public sealed class ChainJournalSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer id stored with each row (Akka reserves 0-100).</summary>
    public const int Id = 7311;

    private const string BlockManifest = "chain-block-1";
    private const string StateManifest = "chain-state-1";
    private const string SnapshotManifest = "chain-snapshot-1";

    /// <summary>The HOCON that registers this serializer for every <see cref="IChainJournalEntry"/>.</summary>
    public const string Hocon = """
        akka.actor {
          serializers.swarm-chain = "Swarm.Actors.Consensus.ChainJournalSerializer, Swarm.Actors"
          serialization-bindings { "Swarm.Actors.Consensus.IChainJournalEntry, Swarm.Actors" = swarm-chain }
        }
        """;

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        ChainBlockAppended => BlockManifest,
        ChainStateSaved => StateManifest,
        ChainSnapshot => SnapshotManifest,
        _ => throw new ArgumentException($"not a chain journal entry: {o.GetType().Name}", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        var writer = new List<byte>();
        switch (obj)
        {
            case ChainBlockAppended block:
                WriteBlock(writer, block.Block);
                break;
            case ChainStateSaved state:
                return state.HardState;
            case ChainSnapshot snapshot:
                WriteLength(writer, snapshot.Blocks.Count);
                foreach (var block in snapshot.Blocks)
                {
                    WriteBlock(writer, block);
                }
                WriteLength(writer, snapshot.HardState?.Length ?? -1);
                writer.AddRange(snapshot.HardState ?? []);
                break;
            default:
                throw new ArgumentException($"not a chain journal entry: {obj.GetType().Name}", nameof(obj));
        }
        return [.. writer];
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var reader = new Reader(bytes, manifest);
        switch (manifest)
        {
            case BlockManifest:
                var block = reader.Block();
                reader.End();
                return new ChainBlockAppended(block);
            case StateManifest:
                return new ChainStateSaved(bytes);
            case SnapshotManifest:
                var count = reader.Length();
                var blocks = new List<CertifiedBlock>(Math.Min(count, 1024));
                for (var i = 0; i < count; i++)
                {
                    blocks.Add(reader.Block());
                }
                var stateLength = reader.Length(allowAbsent: true);
                var hardState = stateLength < 0 ? null : reader.Bytes(stateLength);
                reader.End();
                return new ChainSnapshot(blocks, hardState);
            default:
                throw new ChainJournalException($"a chain journal entry has the unknown manifest '{manifest}' ({bytes.Length} bytes)");
        }
    }

    private static void WriteBlock(List<byte> writer, CertifiedBlock block)
    {
        WriteLength(writer, block.Block.Encoded.Length);
        writer.AddRange(block.Block.Encoded);
        var certificate = block.Certificate.Encode();
        WriteLength(writer, certificate.Length);
        writer.AddRange(certificate);
    }

    private static void WriteLength(List<byte> writer, int length)
    {
        Span<byte> prefix = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        writer.AddRange(prefix);
    }

    /// <summary>Reads one entry; every shortfall names the entry and the offset.</summary>
    private sealed class Reader(byte[] bytes, string manifest)
    {
        private int _offset;

        public int Length(bool allowAbsent = false)
        {
            Need(4, "a length");
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(_offset));
            if (length < (allowAbsent ? -1 : 0))
            {
                throw Fail($"negative length {length} at byte {_offset}");
            }
            _offset += 4;
            return length;
        }

        public byte[] Bytes(int length)
        {
            Need(length, $"{length} bytes");
            var result = bytes.AsSpan(_offset, length).ToArray();
            _offset += length;
            return result;
        }

        public CertifiedBlock Block()
        {
            var blockBytes = Bytes(Length());
            if (!BlockCodec.TryDecode(blockBytes, out var block, out var error))
            {
                throw Fail($"a block does not decode: {error}");
            }
            if (!CommitCertificate.TryDecode(Bytes(Length()), out var certificate, out error))
            {
                throw Fail($"the certificate of block {block!.Height} does not decode: {error}");
            }
            return new CertifiedBlock(block!, certificate!);
        }

        public void End()
        {
            if (_offset != bytes.Length)
            {
                throw Fail($"{bytes.Length - _offset} bytes after the end");
            }
        }

        private void Need(int count, string what)
        {
            if (count > bytes.Length - _offset)
            {
                throw Fail($"{what} needed at byte {_offset}, but the entry ends at {bytes.Length}");
            }
        }

        private ChainJournalException Fail(string reason) =>
            new($"a chain journal entry ({manifest}, {bytes.Length} bytes) cannot be read: {reason}");
    }
}
