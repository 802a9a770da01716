using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

public sealed class TaskSpecCodecTests
{
    private static TaskSpec Spec(Dictionary<string, string>? datasets = null) => new()
    {
        Id = "pneumonia-4",
        Model = "resnet18-gn",
        Participants = ["node-b", "node-a", "node-c"],
        Datasets = datasets ?? new Dictionary<string, string> { ["node-b"] = "pneumoniamnist", ["node-a"] = "breastmnist", ["node-c"] = "pneumoniamnist" },
        Rounds = 12,
        LocalEpochs = 2,
        Optimizer = new OptimizerSpec("sgd", 0.05, 0.8, 1e-4, 32),
        Aggregation = new AggregationSpec("trimmed-mean", 1, 0.25),
        PartialShareFraction = 0.1,
        Quorum = 2,
        RoundDeadline = TimeSpan.FromSeconds(90),
        Personalization = new PersonalizationSpec("fedper", 3, ["fc1", "fc2"]),
        Privacy = new PrivacySpec(PrivacyModes.Local, 1.1, 1.5, 1e-5, true),
        Seed = 7,
    };

    [Fact]
    public void A_spec_decodes_to_the_same_spec()
    {
        var spec = Spec();

        var decoded = TaskSpecCodec.Decode(TaskSpecCodec.Encode(spec));

        Assert.Equal(spec.Id, decoded.Id);
        Assert.Equal(spec.Model, decoded.Model);
        Assert.Equal(spec.Participants, decoded.Participants);
        Assert.Equal(spec.Datasets.OrderBy(d => d.Key), decoded.Datasets.OrderBy(d => d.Key));
        Assert.Equal((spec.Rounds, spec.LocalEpochs, spec.Optimizer, spec.Aggregation), (decoded.Rounds, decoded.LocalEpochs, decoded.Optimizer, decoded.Aggregation));
        Assert.Equal((spec.PartialShareFraction, spec.Quorum, spec.RoundDeadline, spec.Privacy, spec.Seed),
            (decoded.PartialShareFraction, decoded.Quorum, decoded.RoundDeadline, decoded.Privacy, decoded.Seed));
        Assert.Equal(spec.Personalization.Mode, decoded.Personalization.Mode);
        Assert.Equal(spec.Personalization.LocalLayers, decoded.Personalization.LocalLayers);
        Assert.Equal(TaskSpecCodec.Encode(spec), TaskSpecCodec.Encode(decoded));
    }

    [Fact]
    public void Absent_local_layers_stay_absent()
    {
        var spec = Spec() with { Personalization = new PersonalizationSpec("none", 0, null) };

        Assert.Null(TaskSpecCodec.Decode(TaskSpecCodec.Encode(spec)).Personalization.LocalLayers);
    }

    [Fact]
    public void The_encoding_does_not_depend_on_the_order_data_sets_were_added()
    {
        var reversed = new Dictionary<string, string> { ["node-c"] = "pneumoniamnist", ["node-a"] = "breastmnist", ["node-b"] = "pneumoniamnist" };

        Assert.Equal(TaskSpecCodec.Encode(Spec()), TaskSpecCodec.Encode(Spec(reversed)));
    }

    [Fact]
    public void The_digest_of_a_fixed_spec_is_pinned()
    {
        // A change of this digest means the canonical encoding changed: chains started before would no longer
        // verify their genesis. Bump TaskSpecCodec.FormatVersion instead of changing version 1.
        var digest = Convert.ToHexStringLower(TaskSpecCodec.Digest(Spec()));
        Assert.Equal("92b7f10363b72b90b3febd9b4b62af94cf20bc7cce36234937ed144b6c6f4647", digest);
    }

    [Fact]
    public void Specs_that_differ_in_any_term_have_different_digests()
    {
        var digests = new[]
        {
            Spec(), Spec() with { Rounds = 13 }, Spec() with { PartialShareFraction = 0.2 }, Spec() with { Participants = ["node-a", "node-b", "node-c"] },
            Spec() with { Privacy = new PrivacySpec(PrivacyModes.Local, 1.1, 1.5, 1e-5, false) }, Spec() with { RoundDeadline = TimeSpan.FromSeconds(91) },
        }.Select(s => Convert.ToHexStringLower(TaskSpecCodec.Digest(s))).ToList();

        Assert.Equal(digests.Count, digests.Distinct().Count());
    }

    [Fact]
    public void A_spec_encoded_with_the_old_differential_privacy_boolean_decodes_to_its_mode()
    {
        // The pinned digest above is of a spec with mode local: its privacy byte is 1, what differential-privacy =
        // true encoded, so chains started before modes existed keep their genesis.
        var bytes = TaskSpecCodec.Encode(Spec() with { Privacy = new PrivacySpec(PrivacyModes.None) });
        var at = PrivacyByteOffset(bytes);

        bytes[at] = 1;
        Assert.Equal(PrivacyModes.Local, TaskSpecCodec.Decode(bytes).Privacy.Mode);
        bytes[at] = 0;
        Assert.Equal(PrivacyModes.None, TaskSpecCodec.Decode(bytes).Privacy.Mode);
        bytes[at] = 2;
        Assert.Equal(PrivacyModes.Dopamine, TaskSpecCodec.Decode(bytes).Privacy.Mode);
        bytes[at] = 3;
        Assert.Null(TaskSpecCodec.TryDecode(bytes, out var problem));
        Assert.Contains("privacy.mode: byte 3 names no mode", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mode_that_is_not_a_mode_cannot_be_encoded()
    {
        var error = Assert.Throws<TaskSpecFormatException>(() => TaskSpecCodec.Encode(Spec() with { Privacy = new PrivacySpec("central") }));

        Assert.Contains("privacy.mode 'central'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The privacy mode byte sits before σ, C, δ (8 bytes each), the secure-aggregation byte and the seed.</summary>
    private static int PrivacyByteOffset(byte[] bytes) => bytes.Length - 4 - 1 - 3 * 8 - 1;

    [Fact]
    public void Every_truncation_is_refused_naming_a_field()
    {
        var bytes = TaskSpecCodec.Encode(Spec());
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Null(TaskSpecCodec.TryDecode(bytes.AsSpan(0, length), out var problem));
            Assert.StartsWith("malformed task spec: ", problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Trailing_bytes_are_refused()
    {
        var bytes = TaskSpecCodec.Encode(Spec()).Append((byte)0).ToArray();

        Assert.Null(TaskSpecCodec.TryDecode(bytes, out var problem));
        Assert.Contains("extension tag 0", problem, StringComparison.Ordinal);
        var extended = TaskSpecCodec.Encode(Spec() with { Sharing = new SharingSpec(false, "layer") }).Append((byte)0).ToArray();
        Assert.Null(TaskSpecCodec.TryDecode(extended, out problem));
        Assert.Contains("extension tag 0 after tag 1", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Sharing_options_and_the_sample_bound_round_trip_and_defaults_keep_the_old_bytes()
    {
        var plain = TaskSpecCodec.Encode(Spec());
        var explicitDefaults = TaskSpecCodec.Encode(Spec() with { Sharing = new SharingSpec(true, "global") });
        Assert.Equal(plain, explicitDefaults);

        var spec = Spec() with
        {
            Sharing = new SharingSpec(ErrorFeedback: false, Scope: "layer"),
            Aggregation = new AggregationSpec("median", 1, 0.2, SampleCountMax: 5000),
        };
        var decoded = TaskSpecCodec.Decode(TaskSpecCodec.Encode(spec));
        Assert.Equal(spec.Sharing, decoded.Sharing);
        Assert.Equal(spec.Aggregation, decoded.Aggregation);
        Assert.NotEqual(plain.Length, TaskSpecCodec.Encode(spec).Length);
    }

    [Fact]
    public void A_wrong_magic_or_version_is_refused()
    {
        var bytes = TaskSpecCodec.Encode(Spec());
        var magic = (byte[])bytes.Clone();
        magic[0] = (byte)'X';
        var version = (byte[])bytes.Clone();
        version[4] = 9;

        Assert.Throws<TaskSpecFormatException>(() => TaskSpecCodec.Decode(magic));
        var error = Assert.Throws<TaskSpecFormatException>(() => TaskSpecCodec.Decode(version));
        Assert.Contains("format version 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secure_aggregation_byte_above_three_is_refused()
    {
        var spec = Spec() with { Seed = 0 };
        var bytes = TaskSpecCodec.Encode(spec);
        // The last fields: secure-aggregation (1 byte: bit 0 secure aggregation, bit 1 secret sharing), then seed (4 bytes).
        bytes[^5] = 4;

        Assert.Null(TaskSpecCodec.TryDecode(bytes, out var problem));
        Assert.Contains("privacy.secure-aggregation: byte 4 is not 0 to 3", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_string_length_is_refused_without_allocating_it()
    {
        var bytes = TaskSpecCodec.Encode(Spec());
        // The id's length prefix follows magic and version.
        BitConverter.GetBytes(int.MaxValue).CopyTo(bytes, 5);

        Assert.Null(TaskSpecCodec.TryDecode(bytes, out var problem));
        Assert.Contains("id: string length 2147483647", problem, StringComparison.Ordinal);
    }
}
