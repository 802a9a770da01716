using Swarm.Tasks;
using System.Globalization;
using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Tasks;

/// <summary>
/// Reads a task spec written in HOCON (examples/tasks/pneumonia-4.conf) into a <see cref="TaskSpec"/>. The file
/// holds one object <c>task { ... }</c>; <c>id</c>, <c>model</c>, <c>participants</c> and <c>datasets</c> are
/// required, every other key has the default of <see cref="TaskSpec"/>. Reading is strict: an unknown key, a
/// value of the wrong type, and every <see cref="TaskSpecValidator"/> problem are reported together, each naming
/// the file, the line and the key. Substitutions see no environment variables: a spec means the same on every node.
/// </summary>
public static class TaskSpecFile
{
    private static readonly string[] TaskKeys =
    [
        "id", "model", "participants", "datasets", "rounds", "local-epochs", "optimizer", "aggregation",
        "partial-share-fraction", "partial-share-error-feedback", "partial-share-scope", "quorum", "round-deadline", "personalization", "privacy", "seed",
        "kind", "metadata", "transfer", "data-vectors",
    ];

    private static readonly string[] DataVectorKeys = ["pretrained", "merge-rule", "vectors-per-merge", "lambda-steps", "schedule"];

    private static readonly string[] OptimizerKeys = ["name", "learning-rate", "momentum", "weight-decay", "batch-size"];
    private static readonly string[] AggregationKeys = ["strategy", "byzantine", "trim-fraction", "sample-count-max"];
    private static readonly string[] PersonalizationKeys = ["mode", "epochs", "local-layers"];
    private static readonly string[] MetadataKeys = ["modality", "body-part", "input-shape", "channels", "labels"];
    private static readonly string[] TransferKeys = ["source", "genesis", "grant", "model", "mode", "layers", "lambda", "adapt-channels"];
    private static readonly string[] PrivacyKeys = ["mode", "differential-privacy", "noise-multiplier", "clip-norm", "delta", "secure-aggregation", "secret-sharing"];

    /// <summary>Reads the spec file at <paramref name="path"/>; throws <see cref="TaskSpecFileException"/>.</summary>
    public static TaskSpec Load(string path) => Parse(ReadText(path), path);

    /// <summary>The text of the spec file at <paramref name="path"/>; throws <see cref="TaskSpecFileException"/> when
    /// it cannot be read.</summary>
    public static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new TaskSpecFileException([$"cannot read task spec '{path}': {e.Message}"]);
        }
    }

    /// <summary>Reads spec text; <paramref name="name"/> is what errors call the source (a file name).</summary>
    public static TaskSpec Parse(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        HoconObject root;
        try
        {
            // A spec comes from a researcher, maybe over HTTP: it must never make the node open a file of its own.
            root = HoconLoader.LoadString(text, name, baseDirectory: null, environment: static _ => null, allowIncludes: false).Root;
        }
        catch (HoconException e)
        {
            throw new TaskSpecFileException([e.Message]);
        }
        var reader = new Reader(name);
        var spec = reader.Read(root);
        if (spec is not null && reader.Problems.Count == 0)
        {
            var origin = root["task"]!.Origin;
            reader.Problems.AddRange(TaskSpecValidator.Problems(spec).Select(p => $"{origin}: {p}"));
        }
        if (reader.Problems.Count > 0 || spec is null)
        {
            throw new TaskSpecFileException(reader.Problems);
        }
        return spec;
    }

    private sealed class Reader(string name)
    {
        public List<string> Problems { get; } = [];

        public TaskSpec? Read(HoconObject root)
        {
            foreach (var key in root.Keys.Where(k => k != "task"))
            {
                Problem(root[key]!, key, "unknown key (a task spec file holds one object: task { ... })");
            }
            if (root["task"] is not HoconObject task)
            {
                Problems.Add(root["task"] is { } other
                    ? Located(other, "task", $"expected an object, got {other.KindName}")
                    : $"{name}: key 'task': missing (write task {{ id = ..., model = ..., participants = [...], datasets {{ ... }} }})");
                return null;
            }
            Unknown(task, "task", TaskKeys);
            var dataVectors = Kind(task);
            var participants = StringList(task, "task", "participants", required: true) ?? [];
            var defaults = new TaskSpec { Id = "", Model = "", Participants = [], Datasets = new Dictionary<string, string>() };
            var spec = new TaskSpec
            {
                Id = String(task, "task", "id", null) ?? "",
                Model = String(task, "task", "model", null) ?? "",
                Participants = participants,
                Datasets = Datasets(task),
                Rounds = Int(task, "task", "rounds", defaults.Rounds),
                LocalEpochs = Int(task, "task", "local-epochs", defaults.LocalEpochs),
                Optimizer = Optimizer(task, defaults.Optimizer),
                Aggregation = Aggregation(task, defaults.Aggregation),
                PartialShareFraction = Double(task, "task", "partial-share-fraction", defaults.PartialShareFraction),
                Sharing = new SharingSpec(Bool(task, "task", "partial-share-error-feedback", defaults.Sharing.ErrorFeedback),
                    String(task, "task", "partial-share-scope", defaults.Sharing.Scope)!),
                Quorum = Int(task, "task", "quorum", defaults.Quorum),
                RoundDeadline = Duration(task, "task", "round-deadline", defaults.RoundDeadline),
                Personalization = Personalization(task, defaults.Personalization),
                Privacy = Privacy(task, defaults.Privacy),
                Seed = Int(task, "task", "seed", defaults.Seed),
                Metadata = Metadata(task),
                Transfer = Transfer(task),
                DataVectors = dataVectors,
            };
            return spec;
        }

        /// <summary><c>task.metadata { modality, body-part, input-shape = [h, w], channels, labels }</c>: every key
        /// required when the section is there; each bad value is named at its own line.</summary>
        private TaskMetadata? Metadata(HoconObject task)
        {
            if (Section(task, "task", "metadata", required: false) is not { } m)
            {
                return null;
            }
            const string p = "task.metadata";
            Unknown(m, p, MetadataKeys);
            var before = Problems.Count;
            var modality = String(m, p, "modality", null) ?? "";
            var bodyPart = String(m, p, "body-part", null) ?? "";
            var shape = IntList(m, p, "input-shape");
            foreach (var required in new[] { "channels", "labels" }.Where(k => m[k] is null))
            {
                Problem(m, $"{p}.{required}", "missing");
            }
            var metadata = new TaskMetadata(modality, bodyPart, shape is [var h, _] ? h : 0, shape is [_, var w] ? w : 0,
                Int(m, p, "channels", 0), Int(m, p, "labels", 0));
            if (Problems.Count > before)
            {
                return metadata;
            }
            foreach (var problem in metadata.Problems())
            {
                // The problem names its key; the line is that key's.
                var key = problem["task.metadata.".Length..].Split(' ')[0];
                Problems.Add(Located(m[key] ?? m, $"{p}.{key}", problem[(problem.IndexOf(' ', StringComparison.Ordinal) + 1)..]));
            }
            return metadata;
        }

        /// <summary>A list of exactly two whole numbers, e.g. <c>[28, 28]</c>; null (with the problem) otherwise.</summary>
        private int[]? IntList(HoconObject obj, string prefix, string key)
        {
            if (obj[key] is not HoconArray array)
            {
                Problem(obj[key] ?? obj, $"{prefix}.{key}", obj[key] is null ? "missing (write [height, width], e.g. [28, 28])" : $"expected [height, width], got {obj[key]!.KindName}");
                return null;
            }
            var sides = array.Items.Select(i => i is HoconNumber { IsIntegral: true } n && n.IntegralValue is >= 0 and <= int.MaxValue ? (int)n.IntegralValue : -1).ToArray();
            if (sides.Length != 2 || sides.Any(s => s < 0))
            {
                Problem(array, $"{prefix}.{key}", $"expected [height, width] as two whole numbers, got {array.Items.Count} item(s)");
                return null;
            }
            return sides;
        }

        private Dictionary<string, string> Datasets(HoconObject task)
        {
            var datasets = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Section(task, "task", "datasets", required: true) is not { } section)
            {
                return datasets;
            }
            foreach (var site in section.Keys)
            {
                if (String(section, "task.datasets", site, null) is { } dataset)
                {
                    datasets[site] = dataset;
                }
            }
            return datasets;
        }

        private OptimizerSpec Optimizer(HoconObject task, OptimizerSpec d)
        {
            if (Section(task, "task", "optimizer", required: false) is not { } o)
            {
                return d;
            }
            Unknown(o, "task.optimizer", OptimizerKeys);
            const string p = "task.optimizer";
            return new OptimizerSpec(String(o, p, "name", d.Name)!, Double(o, p, "learning-rate", d.LearningRate), Double(o, p, "momentum", d.Momentum),
                Double(o, p, "weight-decay", d.WeightDecay), Int(o, p, "batch-size", d.BatchSize));
        }

        private AggregationSpec Aggregation(HoconObject task, AggregationSpec d)
        {
            if (Section(task, "task", "aggregation", required: false) is not { } a)
            {
                return d;
            }
            Unknown(a, "task.aggregation", AggregationKeys);
            const string p = "task.aggregation";
            return new AggregationSpec(String(a, p, "strategy", d.Strategy)!, Int(a, p, "byzantine", d.Byzantine), Double(a, p, "trim-fraction", d.TrimFraction),
                Int(a, p, "sample-count-max", (int)Math.Min(int.MaxValue, d.SampleCountMax)));
        }

        private PersonalizationSpec Personalization(HoconObject task, PersonalizationSpec d)
        {
            if (Section(task, "task", "personalization", required: false) is not { } s)
            {
                return d;
            }
            Unknown(s, "task.personalization", PersonalizationKeys);
            const string p = "task.personalization";
            return new PersonalizationSpec(String(s, p, "mode", d.Mode)!, Int(s, p, "epochs", d.Epochs), StringList(s, p, "local-layers", required: false));
        }

        /// <summary><c>transfer { source, genesis, grant, model, mode, layers, lambda, adapt-channels }</c>: the model this
        /// task imports from another task's chain (docs/cross-chain.md); source, genesis and grant are required.</summary>
        private TransferSpec? Transfer(HoconObject task)
        {
            if (Section(task, "task", "transfer", required: false) is not { } t)
            {
                return null;
            }
            Unknown(t, "task.transfer", TransferKeys);
            const string p = "task.transfer";
            var d = new TransferSpec("", "", "");
            return new TransferSpec(String(t, p, "source", null) ?? "", String(t, p, "genesis", null) ?? "", String(t, p, "grant", null) ?? "",
                String(t, p, "model", d.Model)!, String(t, p, "mode", d.Mode)!, StringList(t, p, "layers", required: false),
                Double(t, p, "lambda", d.Lambda), Bool(t, p, "adapt-channels", d.AdaptChannels));
        }

        private PrivacySpec Privacy(HoconObject task, PrivacySpec d)
        {
            if (Section(task, "task", "privacy", required: false) is not { } s)
            {
                return d;
            }
            Unknown(s, "task.privacy", PrivacyKeys);
            const string p = "task.privacy";
            return new PrivacySpec(Mode(s, p, d.Mode), Double(s, p, "noise-multiplier", d.NoiseMultiplier),
                Double(s, p, "clip-norm", d.ClipNorm), Double(s, p, "delta", d.Delta), Bool(s, p, "secure-aggregation", d.SecureAggregation),
                Bool(s, p, "secret-sharing", d.SecretSharing));
        }

        /// <summary><c>mode</c>, or the older <c>differential-privacy = true</c>, which means <c>local</c> (what it
        /// always asked for: DP-SGD at every site); both given must agree.</summary>
        private string Mode(HoconObject privacy, string prefix, string fallback)
        {
            var mode = String(privacy, prefix, "mode", fallback) ?? fallback;
            if (privacy["differential-privacy"] is null)
            {
                return mode;
            }
            var legacy = Bool(privacy, prefix, "differential-privacy", false) ? PrivacyModes.Local : PrivacyModes.None;
            if (privacy["mode"] is { } given && mode != legacy)
            {
                Problem(given, $"{prefix}.mode", $"'{mode}' contradicts {prefix}.differential-privacy (which means mode = {legacy}); keep only mode");
            }
            return privacy["mode"] is null ? legacy : mode;
        }

        private void Unknown(HoconObject obj, string prefix, string[] known)
        {
            foreach (var key in obj.Keys.Where(k => !known.Contains(k)))
            {
                Problem(obj[key]!, $"{prefix}.{key}", $"unknown key (known keys here: {string.Join(", ", known)})");
            }
        }

        private HoconObject? Section(HoconObject obj, string prefix, string key, bool required)
        {
            switch (obj[key])
            {
                case HoconObject section:
                    return section;
                case null:
                    if (required)
                    {
                        Problem(obj, $"{prefix}.{key}", "missing");
                    }
                    return null;
                case var other:
                    Problem(other, $"{prefix}.{key}", $"expected an object, got {other.KindName}");
                    return null;
            }
        }

        private string? String(HoconObject obj, string prefix, string key, string? fallback)
        {
            switch (obj[key])
            {
                case HoconString or HoconNumber or HoconBoolean:
                    return obj[key]!.ScalarText;
                case null when fallback is not null:
                    return fallback;
                case null:
                    Problem(obj, $"{prefix}.{key}", "missing");
                    return null;
                case var other:
                    Problem(other, $"{prefix}.{key}", $"expected a string, got {other.KindName}");
                    return fallback;
            }
        }

        /// <summary><c>task.kind</c>: <c>rounds</c> (the default) or <c>data-vectors</c>, which needs a
        /// <c>task.data-vectors</c> section (and only that kind may have one).</summary>
        private DataVectorSpec? Kind(HoconObject task)
        {
            var kind = String(task, "task", "kind", "rounds");
            var section = task["data-vectors"];
            if (kind == DataVectorSpec.Kind)
            {
                if (section is null)
                {
                    Problem(task, "task.data-vectors", "missing (a data-vector task needs data-vectors { pretrained = <sha-256 of the model file>, merge-rule = ... })");
                    return null;
                }
                return DataVectors(task);
            }
            if (kind != "rounds" && task["kind"] is { } at)
            {
                Problem(at, "task.kind", $"{Show(at)} is not a task kind (rounds, {DataVectorSpec.Kind})");
            }
            else if (section is not null)
            {
                Problem(section, "task.data-vectors", $"only a task of kind = {DataVectorSpec.Kind} has this section");
            }
            return null;
        }

        private DataVectorSpec? DataVectors(HoconObject task)
        {
            if (Section(task, "task", "data-vectors", required: true) is not { } s)
            {
                return null;
            }
            const string p = "task.data-vectors";
            Unknown(s, p, DataVectorKeys);
            var d = new DataVectorSpec("");
            var schedule = new Dictionary<string, IReadOnlyList<TimeSpan>>(StringComparer.Ordinal);
            if (Section(s, p, "schedule", required: false) is { } sites)
            {
                foreach (var site in sites.Keys)
                {
                    if (sites[site] is HoconArray array)
                    {
                        var times = new List<TimeSpan>();
                        for (var i = 0; i < array.Items.Count; i++)
                        {
                            if (array.Items[i].ScalarText is { } text && HoconDuration.TryParse(text, out var time))
                            {
                                times.Add(time);
                            }
                            else
                            {
                                Problem(array.Items[i], $"{p}.schedule.{site}[{i}]", $"expected {HoconDuration.Expected}, got {Show(array.Items[i])}");
                            }
                        }
                        schedule[site] = times;
                    }
                    else
                    {
                        Problem(sites[site]!, $"{p}.schedule.{site}", $"expected a list of times such as [0s, 2m], got {sites[site]!.KindName}");
                    }
                }
            }
            return new DataVectorSpec(String(s, p, "pretrained", null) ?? "", String(s, p, "merge-rule", d.MergeRule)!,
                Int(s, p, "vectors-per-merge", d.VectorsPerMerge), Int(s, p, "lambda-steps", d.LambdaSteps))
            {
                Schedule = schedule,
            };
        }

        private List<string>? StringList(HoconObject obj, string prefix, string key, bool required)
        {
            switch (obj[key])
            {
                case HoconArray array:
                    var items = new List<string>();
                    for (var i = 0; i < array.Items.Count; i++)
                    {
                        if (array.Items[i] is HoconString or HoconNumber or HoconBoolean)
                        {
                            items.Add(array.Items[i].ScalarText!);
                        }
                        else
                        {
                            Problem(array.Items[i], $"{prefix}.{key}[{i}]", $"expected a string, got {array.Items[i].KindName}");
                        }
                    }
                    return items;
                case null:
                    if (required)
                    {
                        Problem(obj, $"{prefix}.{key}", "missing");
                    }
                    return null;
                case var other:
                    Problem(other, $"{prefix}.{key}", $"expected a list such as [a, b], got {other.KindName}");
                    return null;
            }
        }

        private int Int(HoconObject obj, string prefix, string key, int fallback)
        {
            switch (obj[key])
            {
                case null:
                    return fallback;
                case HoconNumber { IsIntegral: true } n when n.IntegralValue is >= int.MinValue and <= int.MaxValue:
                    return (int)n.IntegralValue;
                case var other:
                    Problem(other, $"{prefix}.{key}", $"expected a whole number, got {Show(other)}");
                    return fallback;
            }
        }

        private double Double(HoconObject obj, string prefix, string key, double fallback)
        {
            switch (obj[key])
            {
                case null:
                    return fallback;
                case HoconNumber n when double.IsFinite(n.Value):
                    return n.Value;
                case var other:
                    Problem(other, $"{prefix}.{key}", $"expected a number, got {Show(other)}");
                    return fallback;
            }
        }

        private bool Bool(HoconObject obj, string prefix, string key, bool fallback)
        {
            switch (obj[key])
            {
                case null:
                    return fallback;
                case HoconBoolean b:
                    return b.Value;
                case var other:
                    Problem(other, $"{prefix}.{key}", $"expected true or false, got {Show(other)}");
                    return fallback;
            }
        }

        private TimeSpan Duration(HoconObject obj, string prefix, string key, TimeSpan fallback)
        {
            var value = obj[key];
            if (value is null)
            {
                return fallback;
            }
            if (value.ScalarText is { } text && HoconDuration.TryParse(text, out var duration))
            {
                return duration;
            }
            Problem(value, $"{prefix}.{key}", $"expected {HoconDuration.Expected}, got {Show(value)}");
            return fallback;
        }

        private static string Show(HoconValue value) => value.ScalarText is { } text
            ? string.Create(CultureInfo.InvariantCulture, $"\"{text}\"")
            : value.KindName;

        private void Problem(HoconValue at, string key, string reason) => Problems.Add(Located(at, key, reason));

        private string Located(HoconValue at, string key, string reason) =>
            HoconException.Format(at.Origin.Line > 0 ? at.Origin : new HoconOrigin(name, 0), key, reason);
    }
}
