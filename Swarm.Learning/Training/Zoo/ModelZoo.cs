namespace Swarm.Learning.Training.Zoo;

/// <summary>Builds the zoo's models by name.</summary>
internal static class ModelZoo
{
    public static readonly IReadOnlyList<string> Names = ["smallcnn", "resnet18", "resnet18-gn"];

    /// <summary>Throws <see cref="ArgumentException"/> naming the model on an unknown name or a bad shape.</summary>
    public static ZooModel Create(string name, int inChannels, int classes, int imageSize)
    {
        if (ModelInput.Problem(name, inChannels, classes, imageSize) is { } problem)
        {
            throw new ArgumentException(problem);
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
