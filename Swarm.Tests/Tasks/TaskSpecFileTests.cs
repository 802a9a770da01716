using System.Runtime.InteropServices;
using Swarm.Node.Tasks;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

public sealed partial class TaskSpecFileTests
{
    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MakeFifo(string path, uint mode);

    /// <summary>Attack: a submitted spec includes a file of the node's machine (to echo its values back in the error
    /// answer, or <c>/dev/zero</c> to exhaust memory). The include is refused and the file is never opened: here it
    /// is a named pipe with no writer, which would block any reader for good.</summary>
    [Fact]
    public async Task A_spec_with_an_include_is_refused_and_the_file_is_never_opened()
    {
        var directory = Directory.CreateTempSubdirectory("swarm-spec-include-").FullName;
        try
        {
            var pipe = Path.Combine(directory, "secrets.conf");
            Assert.Equal(0, MakeFifo(pipe, Convert.ToUInt32("600", 8)));
            foreach (var include in new[] { $"include required(\"{pipe}\")", $"include \"{pipe}\"", "include file(\"/dev/zero\")" })
            {
                var text = include + "\n" + Minimal;
                var parse = Task.Run(() => Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(text, "submitted spec")));
                var finished = await Task.WhenAny(parse, Task.Delay(TimeSpan.FromSeconds(20)));
                Assert.True(finished == parse, $"parsing '{include}' opened the file (blocked on it)");
                var problem = Assert.Single((await parse).Problems);
                Assert.Contains("submitted spec:1", problem, StringComparison.Ordinal);
                Assert.Contains("is not allowed here: this text must be self-contained", problem, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string ExamplePath => Path.Combine(AppContext.BaseDirectory, "examples", "tasks", "pneumonia-4.conf");

    private const string Minimal = """
        task {
          id = t1
          model = smallcnn
          participants = [a, b]
          datasets { a = pneumoniamnist, b = pneumoniamnist }
        }
        """;

    [Fact]
    public void The_example_spec_reads_into_a_valid_task_spec()
    {
        var spec = TaskSpecFile.Load(ExamplePath);

        Assert.Equal("pneumonia-4", spec.Id);
        Assert.Equal("smallcnn", spec.Model);
        Assert.Equal(["node-a", "node-b", "node-c", "node-d"], spec.Participants);
        Assert.All(spec.Participants, p => Assert.Equal("pneumoniamnist", spec.Datasets[p]));
        Assert.Equal("fedavg", spec.Aggregation.Strategy);
        Assert.Equal(0.1, spec.PartialShareFraction);
        Assert.Equal(3, spec.Quorum);
        Assert.Equal(TimeSpan.FromMinutes(5), spec.RoundDeadline);
        Assert.Equal(64, spec.Optimizer.BatchSize);
        Assert.Equal(0.001, spec.Optimizer.LearningRate);
    }

    [Fact]
    public void Keys_left_out_take_the_spec_defaults()
    {
        var spec = TaskSpecFile.Parse(Minimal, "t1.conf");

        Assert.Equal(10, spec.Rounds);
        Assert.Equal("adam", spec.Optimizer.Name);
        Assert.Equal(1.0, spec.PartialShareFraction);
        Assert.False(spec.Privacy.DifferentialPrivacy);
    }

    [Fact]
    public void Secret_sharing_reads_from_the_privacy_block()
    {
        var text = Minimal.Replace("model = smallcnn", "model = smallcnn\n  privacy { secret-sharing = true }", StringComparison.Ordinal)
            .Replace("[a, b]", "[a, b, c]", StringComparison.Ordinal).Replace("b = pneumoniamnist }", "b = pneumoniamnist, c = pneumoniamnist }", StringComparison.Ordinal);
        var spec = TaskSpecFile.Parse(text, "p.conf");
        Assert.True(spec.Privacy.SecretSharing);
        Assert.False(spec.Privacy.SecureAggregation);
    }

    [Fact]
    public void Privacy_mode_reads_and_the_old_differential_privacy_flag_means_local()
    {
        static TaskSpec With(string privacy) =>
            TaskSpecFile.Parse(Minimal.Replace("model = smallcnn", "model = smallcnn\n  privacy { " + privacy + " }", StringComparison.Ordinal), "p.conf");

        Assert.Equal(PrivacyModes.Local, With("mode = local, noise-multiplier = 1.3").Privacy.Mode);
        Assert.Equal(1.3, With("mode = local, noise-multiplier = 1.3").Privacy.NoiseMultiplier);
        Assert.Equal(PrivacyModes.Local, With("differential-privacy = true").Privacy.Mode);
        Assert.Equal(PrivacyModes.None, With("differential-privacy = false").Privacy.Mode);
        var contradiction = Assert.Throws<TaskSpecFileException>(() => With("mode = none, differential-privacy = true"));
        Assert.Contains(contradiction.Problems, p => p.Contains("key 'task.privacy.mode': 'none' contradicts task.privacy.differential-privacy", StringComparison.Ordinal));
        var dopamine = Assert.Throws<TaskSpecFileException>(() => With("mode = dopamine"));
        Assert.Contains(dopamine.Problems, p => p.Contains("task.privacy.mode = dopamine needs task.privacy.secure-aggregation = true", StringComparison.Ordinal));
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_file_line_and_key()
    {
        var text = Minimal.Replace("model = smallcnn", "model = smallcnn\n  rounds = many", StringComparison.Ordinal);

        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(text, "bad.conf"));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("bad.conf:4: key 'task.rounds': expected a whole number", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_is_rejected_with_its_line_and_the_known_keys()
    {
        var text = Minimal.Replace("model = smallcnn", "model = smallcnn\n  optimizer { name = sgd, learnig-rate = 0.1 }", StringComparison.Ordinal);

        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(text, "typo.conf"));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("typo.conf:4: key 'task.optimizer.learnig-rate': unknown key", problem, StringComparison.Ordinal);
        Assert.Contains("learning-rate", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_outside_the_task_object_is_rejected()
    {
        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Minimal + "\nrounds = 3\n", "outside.conf"));

        Assert.Contains(error.Problems, p => p.StartsWith("outside.conf:7: key 'rounds': unknown key", StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_problems_are_reported_after_the_file_reads()
    {
        var text = Minimal.Replace("model = smallcnn", "model = smallcnn\n  quorum = 5\n  aggregation.strategy = majority", StringComparison.Ordinal);

        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(text, "invalid.conf"));

        Assert.Contains(error.Problems, p => p.Contains("task.quorum 5 must be in [1, 2]", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("task.aggregation.strategy 'majority'", StringComparison.Ordinal));
        Assert.All(error.Problems, p => Assert.StartsWith("invalid.conf:", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_required_keys_are_each_named()
    {
        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse("task { id = x }", "short.conf"));

        Assert.Contains(error.Problems, p => p.Contains("key 'task.model': missing", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("key 'task.participants': missing", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("key 'task.datasets': missing", StringComparison.Ordinal));
    }

    [Fact]
    public void A_syntax_error_names_the_file_and_line()
    {
        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse("task {\n  id = x\n  model = [\n", "broken.conf"));

        Assert.StartsWith("broken.conf:", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_spec_error_naming_the_path()
    {
        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Load("/no/such/spec.conf"));

        Assert.Contains("/no/such/spec.conf", Assert.Single(error.Problems), StringComparison.Ordinal);
    }
}
