namespace Swarm.Tasks;

/// <summary>What a task's data are, as the researcher declares them in <c>task.metadata</c>: the imaging
/// <paramref name="Modality"/> (e.g. <c>x-ray</c>, <c>ultrasound</c>, <c>fundus</c>), the <paramref name="BodyPart"/>
/// (<c>chest</c>, <c>breast</c>, <c>eye</c>), the input shape (<paramref name="Height"/> × <paramref name="Width"/> pixels
/// with <paramref name="Channels"/> channels) and the number of labels. It is part of the spec's canonical bytes, so the
/// chain's genesis binds it; <c>swarm task similar</c> uses it to tell which other chains' models could serve this
/// task (docs/cross-chain.md, "Finding a source").</summary>
public sealed record TaskMetadata(string Modality, string BodyPart, int Height, int Width, int Channels, int Labels)
{
    /// <summary>Longest modality or body-part name.</summary>
    public const int NameLengthMax = 64;

    /// <summary>Largest image side accepted.</summary>
    public const int SideMax = 4096;

    /// <summary>Most channels accepted.</summary>
    public const int ChannelsMax = 64;

    /// <summary>Most labels accepted.</summary>
    public const int LabelsMax = 10_000;

    /// <summary>Each problem of the metadata, naming its <c>task.metadata.*</c> key; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        NameProblem("modality", Modality, problems);
        NameProblem("body-part", BodyPart, problems);
        if (Height is < 1 or > SideMax || Width is < 1 or > SideMax)
        {
            problems.Add($"task.metadata.input-shape [{Height}, {Width}] must be two sides in [1, {SideMax}] pixels, [height, width]");
        }
        if (Channels is < 1 or > ChannelsMax)
        {
            problems.Add($"task.metadata.channels {Channels} must be in [1, {ChannelsMax}] (1 grey, 3 RGB)");
        }
        if (Labels is < 2 or > LabelsMax)
        {
            problems.Add($"task.metadata.labels {Labels} must be in [2, {LabelsMax}] (the number of classes)");
        }
        return problems;
    }

    /// <summary>Why a model trained under <paramref name="source"/> cannot take this task's images, or null when it
    /// can: the channels and the input shape must be equal (the first convolution's filters and the size of the
    /// flattened features depend on them). The label count may differ: only the features are compared and, on
    /// import, the classifier is left out.</summary>
    public string? InputMismatch(TaskMetadata source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Channels != Channels)
        {
            return $"its images have {source.Channels} channel(s), this task's have {Channels}";
        }
        if (source.Height != Height || source.Width != Width)
        {
            return $"its input shape is {source.Height}×{source.Width}, this task's is {Height}×{Width}";
        }
        return null;
    }

    private static void NameProblem(string key, string value, List<string> problems)
    {
        if (value.Length is 0 or > NameLengthMax || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ' '))
        {
            problems.Add($"task.metadata.{key} '{value}' must be 1-{NameLengthMax} letters, digits, '-', '_' or spaces");
        }
    }
}
