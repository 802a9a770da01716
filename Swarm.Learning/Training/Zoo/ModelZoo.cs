namespace Swarm.Learning.Training.Zoo;

/// <summary>Builds the zoo's models by name.</summary>
internal static class ModelZoo
{
    public static readonly IReadOnlyList<string> Names = ["smallcnn", "resnet18", "resnet18-gn"];

    /// <summary>Throws <see cref="ArgumentException"/> naming the model on an unknown name or a bad shape.</summary>
    public static ZooModel Create(string name, int inChannels, int classes, int imageSize)
    {
        if (inChannels < 1 || classes < 2 || imageSize < 4)
        {
            throw new ArgumentException(
                $"model '{name}': in_channels must be >= 1, classes >= 2, image_size >= 4");
        }
        return name switch
        {
            "smallcnn" => new SmallCnn(inChannels, classes, imageSize),
            "resnet18" => new ResNet18(inChannels, classes, groupNorm: false),
            "resnet18-gn" => new ResNet18(inChannels, classes, groupNorm: true),
            _ => throw new ArgumentException(
                $"unknown model '{name}' (the zoo has {string.Join(", ", Names)})"),
        };
    }
}
