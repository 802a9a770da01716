using Swarm.Node.Tasks;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary><c>task.metadata</c>: read from the spec file with each bad value named at its own line, carried in the
/// canonical bytes (so the genesis binds it) without changing the digest of specs that have none, and re-checked when
/// a spec arrives encoded.</summary>
public sealed class TaskMetadataSpecTests
{
    private const string Head = """
        task {
          id = t1
          model = smallcnn
          participants = [a, b]
          datasets { a = pneumoniamnist, b = pneumoniamnist }

        """;

    [Fact]
    public void Metadata_is_read_and_survives_the_canonical_encoding()
    {
        var spec = TaskSpecFile.Parse(Head + """
              metadata { modality = x-ray, body-part = chest, input-shape = [28, 28], channels = 1, labels = 2 }
            }
            """, "spec.conf");

        Assert.Equal(new TaskMetadata("x-ray", "chest", 28, 28, 1, 2), spec.Metadata);
        var decoded = TaskSpecCodec.Decode(TaskSpecCodec.Encode(spec));
        Assert.Equal(spec.Metadata, decoded.Metadata);
        var without = spec with { Metadata = null };
        Assert.NotEqual(TaskSpecCodec.DigestHex(TaskSpecCodec.Encode(spec)), TaskSpecCodec.DigestHex(TaskSpecCodec.Encode(without)));
        Assert.Null(TaskSpecCodec.Decode(TaskSpecCodec.Encode(without)).Metadata);
        // With the sharing extension too, both come back.
        var both = spec with { Sharing = new SharingSpec(false, SharingSpec.LayerScope) };
        Assert.Equal(both.Sharing, TaskSpecCodec.Decode(TaskSpecCodec.Encode(both)).Sharing);
        Assert.Equal(both.Metadata, TaskSpecCodec.Decode(TaskSpecCodec.Encode(both)).Metadata);
    }

    [Fact]
    public void Bad_metadata_values_are_named_at_their_own_lines()
    {
        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Head + """
              metadata {
                modality = "x-ray/ct"
                body-part = chest
                input-shape = [28, 0]
                channels = 0
                labels = 1
                colour = grey
              }
            }
            """, "spec.conf"));

        var problems = string.Join("\n", error.Problems);
        Assert.Contains("spec.conf:12", problems, StringComparison.Ordinal); // colour
        Assert.Contains("task.metadata.colour", problems, StringComparison.Ordinal);

        var values = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Head + """
              metadata {
                modality = "x-ray/ct"
                body-part = chest
                input-shape = [28, 0]
                channels = 0
                labels = 1
              }
            }
            """, "spec.conf")).Problems;
        Assert.Contains(values, p => p.Contains("spec.conf:7", StringComparison.Ordinal) && p.Contains("task.metadata.modality", StringComparison.Ordinal));
        Assert.Contains(values, p => p.Contains("spec.conf:9", StringComparison.Ordinal) && p.Contains("task.metadata.input-shape", StringComparison.Ordinal));
        Assert.Contains(values, p => p.Contains("spec.conf:10", StringComparison.Ordinal) && p.Contains("task.metadata.channels", StringComparison.Ordinal));
        Assert.Contains(values, p => p.Contains("spec.conf:11", StringComparison.Ordinal) && p.Contains("task.metadata.labels", StringComparison.Ordinal));
        Assert.Equal(4, values.Count);
    }

    [Fact]
    public void Missing_metadata_keys_are_named()
    {
        var problems = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Head + """
              metadata { modality = x-ray }
            }
            """, "spec.conf")).Problems;
        foreach (var key in new[] { "body-part", "input-shape", "channels", "labels" })
        {
            Assert.Contains(problems, p => p.Contains($"task.metadata.{key}", StringComparison.Ordinal) && p.Contains("missing", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Encoded_metadata_with_bad_values_is_refused_by_the_validator_and_misordered_extensions_by_the_decoder()
    {
        var spec = new TaskSpec
        {
            Id = "t1", Model = "smallcnn", Participants = ["a"], Datasets = new Dictionary<string, string> { ["a"] = "x" },
            Metadata = new TaskMetadata("x-ray", "chest", 28, 28, 100, 2),
        };
        var decoded = TaskSpecCodec.Decode(TaskSpecCodec.Encode(spec));
        Assert.Contains(TaskSpecValidator.Problems(decoded), p => p.StartsWith("task.metadata.channels 100", StringComparison.Ordinal));

        // Extension 2 written twice: refused, naming the order rule.
        var bytes = TaskSpecCodec.Encode(spec with { Metadata = new TaskMetadata("x", "y", 28, 28, 1, 2) });
        var withoutMetadata = TaskSpecCodec.Encode(spec with { Metadata = null });
        var extension = bytes[withoutMetadata.Length..];
        Assert.Null(TaskSpecCodec.TryDecode([.. bytes, .. extension], out var problem));
        Assert.Contains("extension tag 2 after tag 2", problem, StringComparison.Ordinal);
    }
}
