using Swarm.Node.Tasks;
using Swarm.Tasks;

namespace Swarm.Tests.DataVectors;

public sealed class DataVectorTaskSpecTests
{
    private static string Spec(string kind) => $$"""
        task {
          id = t1
          model = smallcnn
          {{kind}}
          participants = [a, b]
          datasets { a = breastmnist, b = breastmnist }
        }
        """;

    private static readonly string Hash = new('a', 64);

    [Fact]
    public void A_data_vector_task_is_read_with_its_terms_and_keeps_them_through_the_canonical_bytes()
    {
        var spec = TaskSpecFile.Parse(Spec($$"""
            kind = data-vectors
            data-vectors { pretrained = "{{Hash}}", merge-rule = validated, vectors-per-merge = 2, lambda-steps = 6, schedule { b = [0s, 90s], a = [10s] } }
            """), "dv.conf");
        var dv = Assert.IsType<DataVectorSpec>(spec.DataVectors);
        Assert.Equal((Hash, "validated", 2, 6), (dv.Pretrained, dv.MergeRule, dv.VectorsPerMerge, dv.LambdaSteps));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(90)], dv.PublicationsOf("b"));
        Assert.Equal([TimeSpan.Zero], dv.PublicationsOf("c"));

        var bytes = TaskSpecCodec.Encode(spec);
        var decoded = TaskSpecCodec.Decode(bytes);
        Assert.Equal(dv, decoded.DataVectors);
        Assert.Equal(bytes, TaskSpecCodec.Encode(decoded));
        // A round task's bytes carry no data-vector extension, so its digest is what it was before the kind existed.
        var rounds = TaskSpecFile.Parse(Spec(""), "r.conf");
        Assert.Null(TaskSpecCodec.Decode(TaskSpecCodec.Encode(rounds)).DataVectors);
        Assert.Equal(TaskSpecCodec.Encode(rounds), TaskSpecCodec.Encode(spec with { DataVectors = null }));
    }

    [Fact]
    public void The_example_data_vector_spec_is_valid()
    {
        var spec = TaskSpecFile.Load(Path.Combine(AppContext.BaseDirectory, "examples", "tasks", "data-vectors-3.conf"));
        Assert.Equal(("validated", 3), (spec.DataVectors!.MergeRule, spec.Participants.Count));
        Assert.Equal([TimeSpan.FromHours(2)], spec.DataVectors.PublicationsOf("node-c"));
    }

    [Fact]
    public void A_data_vector_spec_with_wrong_terms_is_refused_naming_each_problem()
    {
        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Spec("""
            kind = data-vectors
            data-vectors { pretrained = "ABC", merge-rule = best, vectors-per-merge = 3, schedule { z = [1s], a = [5s, 2s] } }
            """), "dv.conf"));
        var all = string.Join("\n", error.Problems);
        Assert.Contains("pretrained 'ABC' must be the SHA-256", all, StringComparison.Ordinal);
        Assert.Contains("merge-rule 'best' must be one of sum, mean, sample-weighted, validated", all, StringComparison.Ordinal);
        Assert.Contains("vectors-per-merge 3 must be in [1, 2]", all, StringComparison.Ordinal);
        Assert.Contains("schedule names 'z', which is not a participant", all, StringComparison.Ordinal);
        Assert.Contains("schedule.a must be times from the task's start, not negative, in ascending order", all, StringComparison.Ordinal);

        var missing = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Spec("kind = data-vectors"), "dv.conf"));
        Assert.Contains("key 'task.data-vectors': missing", Assert.Single(missing.Problems), StringComparison.Ordinal);
        var misplaced = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Spec($"data-vectors {{ pretrained = \"{Hash}\" }}"), "r.conf"));
        Assert.Contains("only a task of kind = data-vectors has this section", Assert.Single(misplaced.Problems), StringComparison.Ordinal);
        var secure = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Spec($$"""
            kind = data-vectors
            data-vectors { pretrained = "{{Hash}}" }
            privacy { secure-aggregation = true }
            """), "dv.conf"));
        Assert.Contains(secure.Problems, p => p.Contains("is for round tasks", StringComparison.Ordinal));
    }

    [Fact]
    public void Kind_rounds_or_no_kind_is_a_round_task_and_an_unknown_kind_is_refused()
    {
        Assert.Equal("t1", TaskSpecFile.Parse(Spec("kind = rounds"), "r.conf").Id);
        Assert.Equal("t1", TaskSpecFile.Parse(Spec(""), "r.conf").Id);
        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Spec("kind = gossip"), "g.conf"));
        Assert.Contains("\"gossip\" is not a task kind (rounds, data-vectors)", Assert.Single(error.Problems), StringComparison.Ordinal);
    }
}
