namespace Swarm.Learning.Training.Zoo;

/// <summary>What input a zoo model can be built for: the rules <see cref="ModelZoo.Create"/> enforces, asked
/// without building the model, so a node can refuse a task whose model does not fit its data before it loads
/// anything.</summary>
public static class ModelInput
{
    /// <summary>The zoo's model names.</summary>
    public static IReadOnlyList<string> Models => ModelZoo.Names;

    /// <summary>Why <paramref name="model"/> cannot take <paramref name="channels"/>×<paramref name="imageSize"/>²
    /// images into <paramref name="classes"/> classes, or null when it can.</summary>
    public static string? Problem(string model, int channels, int classes, int imageSize)
    {
        if (!ModelZoo.Names.Contains(model))
        {
            return $"unknown model '{model}' (the zoo has {string.Join(", ", ModelZoo.Names)})";
        }
        if (channels < 1 || classes < 2 || imageSize < 4)
        {
            return $"model '{model}' needs at least 1 channel, 2 classes and images of 4×4 or more (got {channels} channels, {classes} classes, {imageSize}×{imageSize})";
        }
        // SmallCnn pools twice by 2 and sizes its first linear layer by the side left after that.
        return model == "smallcnn" && imageSize % 4 != 0
            ? $"model 'smallcnn' needs an image size divisible by 4 (got {imageSize})"
            : null;
    }
}
