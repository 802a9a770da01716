namespace Swarm.Learning.Training;

/// <summary>A local model that trains on a site's data; the trainer actor drives it.</summary>
public interface ITrainer : IDisposable
{
    ParameterLayout Layout { get; }

    /// <summary>Number of classes the model predicts.</summary>
    int Classes { get; }

    void GetParameters(Span<float> destination);

    void SetParameters(ReadOnlySpan<float> source);

    /// <summary>Reads the given layout entries, packed one after another in the given order.</summary>
    void GetParameters(ReadOnlySpan<int> entries, Span<float> destination);

    void SetParameters(ReadOnlySpan<int> entries, ReadOnlySpan<float> source);

    EpochResult TrainEpoch(TrainingData data, TrainOptions options);

    /// <summary>One optimizer step on the whole of <paramref name="data"/>; returns the mean loss.</summary>
    double TrainBatch(TrainingData data, TrainOptions options);

    /// <summary>Softmax class probabilities, N × classes row-major.</summary>
    float[] Predict(ReadOnlyMemory<float> images, ImageShape shape);
}
