using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Swarm.Tasks;

/// <summary>
/// The canonical bytes of a <see cref="TaskSpec"/>: what the CreateTask message carries and what the task chain's
/// genesis binds by its SHA-256 digest. The encoding is deterministic: fixed field order, little-endian fixed-width
/// numbers, length-prefixed UTF-8 strings, data sets in ordinal order of their site ids, so equal specs give equal
/// bytes on every node. Layout: magic <c>SWTS</c>, format version, then the fields in declaration order.
/// Decoding is strict: a wrong magic or version, a length past the end or over its limit, invalid UTF-8, a boolean
/// other than 0 or 1, a repeated site, or trailing bytes are errors naming the field.
/// </summary>
public static class TaskSpecCodec
{
    public const byte FormatVersion = 1;

    /// <summary>Longest string field, in UTF-8 bytes.</summary>
    public const int StringBytesMax = 4096;

    /// <summary>Most entries in a list field (participants, data sets, FedPer local layers).</summary>
    public const int ListItemsMax = 1024;

    /// <summary>Largest encoded spec accepted by <see cref="TryDecode"/>.</summary>
    public const int SpecBytesMax = 1024 * 1024;

    private static readonly byte[] Magic = "SWTS"u8.ToArray();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(TaskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var writer = new Writer();
        writer.Bytes(Magic);
        writer.Byte(FormatVersion);
        writer.String(spec.Id);
        writer.String(spec.Model);
        writer.Strings(spec.Participants);
        var datasets = spec.Datasets.OrderBy(d => d.Key, StringComparer.Ordinal).ToList();
        writer.Int(datasets.Count);
        foreach (var (site, dataset) in datasets)
        {
            writer.String(site);
            writer.String(dataset);
        }
        writer.Int(spec.Rounds);
        writer.Int(spec.LocalEpochs);
        writer.String(spec.Optimizer.Name);
        writer.Double(spec.Optimizer.LearningRate);
        writer.Double(spec.Optimizer.Momentum);
        writer.Double(spec.Optimizer.WeightDecay);
        writer.Int(spec.Optimizer.BatchSize);
        writer.String(spec.Aggregation.Strategy);
        writer.Int(spec.Aggregation.Byzantine);
        writer.Double(spec.Aggregation.TrimFraction);
        writer.Double(spec.PartialShareFraction);
        writer.Int(spec.Quorum);
        writer.Long(spec.RoundDeadline.Ticks);
        writer.String(spec.Personalization.Mode);
        writer.Int(spec.Personalization.Epochs);
        writer.Bool(spec.Personalization.LocalLayers is not null);
        if (spec.Personalization.LocalLayers is { } layers)
        {
            writer.Strings(layers);
        }
        writer.Byte(ModeByte(spec.Privacy.Mode));
        writer.Double(spec.Privacy.NoiseMultiplier);
        writer.Double(spec.Privacy.ClipNorm);
        writer.Double(spec.Privacy.Delta);
        writer.Byte(SummingByte(spec.Privacy));
        writer.Int(spec.Seed);
        WriteExtension(writer, spec);
        return writer.ToArray();
    }

    /// <summary>SHA-256 of the canonical bytes.</summary>
    public static byte[] Digest(TaskSpec spec) => SHA256.HashData(Encode(spec));

    /// <summary>SHA-256 of already encoded bytes.</summary>
    public static byte[] Digest(ReadOnlySpan<byte> encoded) => SHA256.HashData(encoded);

    /// <summary>The digest as lower-case hex, as logs and the HTTP API show it.</summary>
    public static string DigestHex(ReadOnlySpan<byte> encoded) => Convert.ToHexStringLower(Digest(encoded));

    /// <summary>The spec, or throws <see cref="TaskSpecFormatException"/> naming what is wrong.</summary>
    public static TaskSpec Decode(ReadOnlySpan<byte> encoded) =>
        TryDecode(encoded, out var problem) ?? throw new TaskSpecFormatException(problem);

    /// <summary>The spec, or null with <paramref name="problem"/> naming the field that is wrong. The result is
    /// well formed, not necessarily valid: check it with <see cref="TaskSpecValidator"/>.</summary>
    public static TaskSpec? TryDecode(ReadOnlySpan<byte> encoded, out string problem)
    {
        if (encoded.Length > SpecBytesMax)
        {
            problem = $"task spec is {encoded.Length} bytes, more than {SpecBytesMax}";
            return null;
        }
        var reader = new Reader(encoded.ToArray());
        try
        {
            var spec = Read(ref reader);
            if (reader.Remaining > 0)
            {
                spec = ReadExtension(ref reader, spec);
            }
            if (reader.Remaining > 0)
            {
                throw new TaskSpecFormatException($"{reader.Remaining} bytes after the last field");
            }
            problem = "";
            return spec;
        }
        catch (TaskSpecFormatException e)
        {
            problem = $"malformed task spec: {e.Message}";
            return null;
        }
    }

    private static TaskSpec Read(ref Reader reader)
    {
        if (!reader.Bytes(Magic.Length, "magic").SequenceEqual(Magic))
        {
            throw new TaskSpecFormatException("does not start with SWTS (not a task spec)");
        }
        var version = reader.Byte("version");
        if (version != FormatVersion)
        {
            throw new TaskSpecFormatException($"format version {version}; this node reads version {FormatVersion}");
        }
        var id = reader.String("id");
        var model = reader.String("model");
        var participants = reader.Strings("participants");
        var datasetCount = reader.Count("datasets");
        var datasets = new Dictionary<string, string>(StringComparer.Ordinal);
        string? previous = null;
        for (var i = 0; i < datasetCount; i++)
        {
            var site = reader.String("datasets site");
            if (previous is not null && string.CompareOrdinal(previous, site) >= 0)
            {
                throw new TaskSpecFormatException($"datasets: site '{site}' is repeated or out of order");
            }
            previous = site;
            datasets[site] = reader.String($"datasets.{site}");
        }
        var spec = new TaskSpec
        {
            Id = id,
            Model = model,
            Participants = participants,
            Datasets = datasets,
            Rounds = reader.Int("rounds"),
            LocalEpochs = reader.Int("local-epochs"),
            Optimizer = new OptimizerSpec(reader.String("optimizer.name"), reader.Double("optimizer.learning-rate"),
                reader.Double("optimizer.momentum"), reader.Double("optimizer.weight-decay"), reader.Int("optimizer.batch-size")),
            Aggregation = new AggregationSpec(reader.String("aggregation.strategy"), reader.Int("aggregation.byzantine"),
                reader.Double("aggregation.trim-fraction")),
            PartialShareFraction = reader.Double("partial-share-fraction"),
            Quorum = reader.Int("quorum"),
            RoundDeadline = TimeSpan.FromTicks(reader.Long("round-deadline")),
            Personalization = new PersonalizationSpec(reader.String("personalization.mode"), reader.Int("personalization.epochs"),
                reader.Bool("personalization.local-layers present") ? reader.Strings("personalization.local-layers") : null),
            Privacy = new PrivacySpec(Mode(reader.Byte("privacy.mode")), reader.Double("privacy.noise-multiplier"),
                reader.Double("privacy.clip-norm"), reader.Double("privacy.delta"), false),
        };
        var summing = reader.Byte("privacy.secure-aggregation");
        if (summing > 3)
        {
            throw new TaskSpecFormatException($"privacy.secure-aggregation: byte {summing} is not 0 to 3");
        }
        return spec with
        {
            Privacy = spec.Privacy with { SecureAggregation = (summing & 1) != 0, SecretSharing = (summing & 2) != 0 },
            Seed = reader.Int("seed"),
        };
    }

    /// <summary>The byte that was the boolean secure-aggregation: bit 0 secure aggregation, bit 1 secret sharing, so a
    /// spec without secret sharing keeps the bytes (and the digest) it had before the mode existed.</summary>
    private static byte SummingByte(PrivacySpec privacy) => (byte)((privacy.SecureAggregation ? 1 : 0) | (privacy.SecretSharing ? 2 : 0));

    /// <summary>Tag of the sharing extension: fields added after seed, written only when one differs from its
    /// default, so a spec that leaves them at their defaults keeps the bytes (and the digest) it had before they
    /// existed.</summary>
    private const byte SharingExtension = 1;

    /// <summary>Extension 2: <c>task.metadata</c> (modality, body part, height, width, channels, labels), written only
    /// when the spec has metadata, after extension 1 when both are there. Extensions appear in increasing tag order,
    /// each at most once.</summary>
    private const byte MetadataExtension = 2;

    /// <summary>Extension 3: <c>task.transfer</c> (<see cref="TaskSpec.Transfer"/>), written only when the spec imports
    /// a model, after extensions 1 and 2 when they are there.</summary>
    private const byte TransferExtension = 3;

    /// <summary>Tag of the data-vector extension: the <see cref="DataVectorSpec"/> of a data-vector task, written
    /// only for such a task (extension 4, after the others present), so a round task's bytes do not change.</summary>
    private const byte DataVectorExtension = 4;

    private static void WriteExtension(Writer writer, TaskSpec spec)
    {
        var defaults = new SharingSpec();
        if (spec.Sharing != defaults || spec.Aggregation.SampleCountMax != 0)
        {
            writer.Byte(SharingExtension);
            writer.Bool(spec.Sharing.ErrorFeedback);
            writer.Byte(ScopeByte(spec.Sharing.Scope));
            writer.Long(spec.Aggregation.SampleCountMax);
        }
        if (spec.Metadata is { } metadata)
        {
            writer.Byte(MetadataExtension);
            writer.String(metadata.Modality);
            writer.String(metadata.BodyPart);
            writer.Int(metadata.Height);
            writer.Int(metadata.Width);
            writer.Int(metadata.Channels);
            writer.Int(metadata.Labels);
        }
        if (spec.Transfer is { } transfer)
        {
            writer.Byte(TransferExtension);
            writer.String(transfer.Source);
            writer.String(transfer.Genesis);
            writer.String(transfer.Grant);
            writer.String(transfer.Model);
            writer.Byte(TransferModeByte(transfer.Mode));
            writer.Bool(transfer.Layers is not null);
            if (transfer.Layers is { } layers)
            {
                writer.Strings(layers);
            }
            writer.Double(transfer.Lambda);
            writer.Bool(transfer.AdaptChannels);
        }
        if (spec.DataVectors is { } dv)
        {
            writer.Byte(DataVectorExtension);
            writer.String(dv.Pretrained);
            writer.String(dv.MergeRule);
            writer.Int(dv.VectorsPerMerge);
            writer.Int(dv.LambdaSteps);
            var schedule = dv.Schedule.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
            writer.Int(schedule.Count);
            foreach (var (site, times) in schedule)
            {
                writer.String(site);
                writer.Int(times.Count);
                foreach (var time in times)
                {
                    writer.Long(time.Ticks);
                }
            }
        }
    }

    /// <summary>The extensions after seed, each tag at most once and in ascending order.</summary>
    private static TaskSpec ReadExtension(ref Reader reader, TaskSpec spec)
    {
        var last = 0;
        while (reader.Remaining > 0)
        {
            var tag = reader.Byte("extension tag");
            if (tag <= last)
            {
                throw new TaskSpecFormatException($"extension tag {tag} after tag {last}; extensions come once each, in increasing order");
            }
            last = tag;
            spec = tag switch
            {
                SharingExtension => ReadSharing(ref reader, spec),
                MetadataExtension => spec with
                {
                    Metadata = new TaskMetadata(reader.String("metadata.modality"), reader.String("metadata.body-part"), reader.Int("metadata.height"),
                        reader.Int("metadata.width"), reader.Int("metadata.channels"), reader.Int("metadata.labels")),
                },
                TransferExtension => ReadTransfer(ref reader, spec),
                DataVectorExtension => ReadDataVectors(ref reader, spec),
                _ => throw new TaskSpecFormatException($"extension tag {tag} after seed; this node reads tags {SharingExtension}, {MetadataExtension}, {TransferExtension} and {DataVectorExtension}"),
            };
        }
        return spec;
    }

    private static TaskSpec ReadSharing(ref Reader reader, TaskSpec spec)
    {
        var errorFeedback = reader.Bool("sharing.error-feedback");
        var scope = reader.Byte("sharing.scope");
        if (scope >= SharingSpec.Scopes.Count)
        {
            throw new TaskSpecFormatException($"sharing.scope: byte {scope} names no scope (0 to {SharingSpec.Scopes.Count - 1})");
        }
        var sampleCountMax = reader.Long("aggregation.sample-count-max");
        return spec with
        {
            Sharing = new SharingSpec(errorFeedback, SharingSpec.Scopes[scope]),
            Aggregation = spec.Aggregation with { SampleCountMax = sampleCountMax },
        };
    }

    private static TaskSpec ReadTransfer(ref Reader reader, TaskSpec spec)
    {
        var source = reader.String("transfer.source");
        var genesis = reader.String("transfer.genesis");
        var grant = reader.String("transfer.grant");
        var model = reader.String("transfer.model");
        var mode = reader.Byte("transfer.mode");
        if (mode >= TransferSpec.Modes.Count)
        {
            throw new TaskSpecFormatException($"transfer.mode: byte {mode} names no mode (0 to {TransferSpec.Modes.Count - 1})");
        }
        var layers = reader.Bool("transfer.layers present") ? reader.Strings("transfer.layers") : null;
        var lambda = reader.Double("transfer.lambda");
        var adapt = reader.Bool("transfer.adapt-channels");
        return spec with { Transfer = new TransferSpec(source, genesis, grant, model, TransferSpec.Modes[mode], layers, lambda, adapt) };
    }

    private static byte TransferModeByte(string mode)
    {
        for (var i = 0; i < TransferSpec.Modes.Count; i++)
        {
            if (TransferSpec.Modes[i] == mode)
            {
                return (byte)i;
            }
        }
        throw new TaskSpecFormatException($"transfer.mode '{mode}' is not one of {string.Join(", ", TransferSpec.Modes)}");
    }

    private static TaskSpec ReadDataVectors(ref Reader reader, TaskSpec spec)
    {
        var pretrained = reader.String("data-vectors.pretrained");
        var rule = reader.String("data-vectors.merge-rule");
        var perMerge = reader.Int("data-vectors.vectors-per-merge");
        var steps = reader.Int("data-vectors.lambda-steps");
        var sites = reader.Count("data-vectors.schedule");
        var schedule = new Dictionary<string, IReadOnlyList<TimeSpan>>(StringComparer.Ordinal);
        string? previous = null;
        for (var i = 0; i < sites; i++)
        {
            var site = reader.String("data-vectors.schedule site");
            if (previous is not null && string.CompareOrdinal(previous, site) >= 0)
            {
                throw new TaskSpecFormatException($"data-vectors.schedule: site '{site}' is repeated or out of order");
            }
            previous = site;
            var count = reader.Int($"data-vectors.schedule.{site}");
            if (count < 0 || count > DataVectorSpec.PublicationsMax)
            {
                throw new TaskSpecFormatException($"data-vectors.schedule.{site}: {count} times, expected 0 to {DataVectorSpec.PublicationsMax}");
            }
            var times = new TimeSpan[count];
            for (var j = 0; j < count; j++)
            {
                times[j] = TimeSpan.FromTicks(reader.Long($"data-vectors.schedule.{site}[{j}]"));
            }
            schedule[site] = times;
        }
        return spec with { DataVectors = new DataVectorSpec(pretrained, rule, perMerge, steps) { Schedule = schedule } };
    }

    private static byte ScopeByte(string scope)
    {
        for (var i = 0; i < SharingSpec.Scopes.Count; i++)
        {
            if (SharingSpec.Scopes[i] == scope)
            {
                return (byte)i;
            }
        }
        throw new TaskSpecFormatException($"sharing.scope '{scope}' is not one of {string.Join(", ", SharingSpec.Scopes)}");
    }

    /// <summary>The privacy mode's byte: its index in <see cref="PrivacyModes.All"/>. Bytes 0 and 1 are what the
    /// boolean differential-privacy used to encode, so the format version stays and old specs keep their digest; a
    /// node that predates modes refuses byte 2 (dopamine) as a malformed boolean, which is the right answer.</summary>
    private static byte ModeByte(string mode)
    {
        for (var i = 0; i < PrivacyModes.All.Count; i++)
        {
            if (PrivacyModes.All[i] == mode)
            {
                return (byte)i;
            }
        }
        throw new TaskSpecFormatException($"privacy.mode '{mode}' is not one of {string.Join(", ", PrivacyModes.All)}");
    }

    private static string Mode(byte value) => value < PrivacyModes.All.Count
        ? PrivacyModes.All[value]
        : throw new TaskSpecFormatException($"privacy.mode: byte {value} names no mode (0 to {PrivacyModes.All.Count - 1})");

    private sealed class Writer
    {
        private readonly MemoryStream _stream = new();

        public void Bytes(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

        public void Byte(byte value) => _stream.WriteByte(value);

        public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

        public void Int(int value)
        {
            Span<byte> buffer = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(buffer, value);
            Bytes(buffer);
        }

        public void Long(long value)
        {
            Span<byte> buffer = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(buffer, value);
            Bytes(buffer);
        }

        public void Double(double value) => Long(BitConverter.DoubleToInt64Bits(value));

        public void String(string value)
        {
            var bytes = StrictUtf8.GetBytes(value);
            if (bytes.Length > StringBytesMax)
            {
                throw new TaskSpecFormatException($"a string of {bytes.Length} UTF-8 bytes is longer than {StringBytesMax}");
            }
            Int(bytes.Length);
            Bytes(bytes);
        }

        public void Strings(IReadOnlyList<string> values)
        {
            if (values.Count > ListItemsMax)
            {
                throw new TaskSpecFormatException($"a list of {values.Count} items is longer than {ListItemsMax}");
            }
            Int(values.Count);
            foreach (var value in values)
            {
                String(value);
            }
        }

        public byte[] ToArray() => _stream.ToArray();
    }

    private struct Reader(byte[] bytes)
    {
        private int _position;

        public readonly int Remaining => bytes.Length - _position;

        public byte[] Bytes(int count, string field)
        {
            if (count > Remaining)
            {
                throw new TaskSpecFormatException($"{field}: needs {count} bytes, {Remaining} left");
            }
            var slice = bytes.AsSpan(_position, count).ToArray();
            _position += count;
            return slice;
        }

        public byte Byte(string field) => Bytes(1, field)[0];

        public bool Bool(string field) => Byte(field) switch
        {
            0 => false,
            1 => true,
            var other => throw new TaskSpecFormatException($"{field}: boolean byte {other} is neither 0 nor 1"),
        };

        public int Int(string field) => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4, field));

        public long Long(string field) => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8, field));

        public double Double(string field) => BitConverter.Int64BitsToDouble(Long(field));

        public int Count(string field)
        {
            var count = Int(field);
            if (count < 0 || count > ListItemsMax)
            {
                throw new TaskSpecFormatException($"{field}: {count} items, expected 0 to {ListItemsMax}");
            }
            return count;
        }

        public string String(string field)
        {
            var length = Int(field);
            if (length < 0 || length > StringBytesMax)
            {
                throw new TaskSpecFormatException($"{field}: string length {length}, expected 0 to {StringBytesMax}");
            }
            try
            {
                return StrictUtf8.GetString(Bytes(length, field));
            }
            catch (DecoderFallbackException)
            {
                throw new TaskSpecFormatException($"{field}: not valid UTF-8");
            }
        }

        public IReadOnlyList<string> Strings(string field)
        {
            var count = Count(field);
            var values = new string[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = String($"{field}[{i}]");
            }
            return values;
        }
    }
}
