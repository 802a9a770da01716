using System.Diagnostics;
using Swarm.Actors.Training;
using Swarm.Learning.Training;

namespace Swarm.Actors.Tasks;

/// <summary>
/// A data-vector site's libtorch work on its own data: fine-tuning the pinned pre-trained model (each publication
/// goes on from the site's last fine-tuned model for the spec's epochs; the first starts from θ_pre) and scoring
/// candidate merges by cross-entropy on the site's validation split (the loss, not the AUC: AUC is undefined on a
/// split with one class, which a skewed site may hold). Owns its model; the trainer actor disposes it.
/// </summary>
public sealed class DataVectorTrainer : IDisposable
{
    private readonly TorchTrainer _model;
    private readonly SiteData _data;
    private readonly TrainOptions _options;
    private readonly int _epochs;
    private readonly float[] _current;
    private int _epochsDone;

    /// <param name="model">A model of the task's architecture for this site's data (its parameters are replaced).</param>
    /// <param name="data">The site's data.</param>
    /// <param name="options">The spec's optimizer; the seed of epoch e is <c>options.Seed + e</c>.</param>
    /// <param name="epochs">Epochs per publication (the spec's local epochs).</param>
    /// <param name="pretrained">θ_pre, the task's pinned pre-trained model.</param>
    public DataVectorTrainer(TorchTrainer model, SiteData data, TrainOptions options, int epochs, float[] pretrained)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pretrained);
        if (pretrained.Length != model.Layout.TotalLength)
        {
            throw new ArgumentException($"the pre-trained model has {pretrained.Length} parameters, the site's model {model.Layout.TotalLength}", nameof(pretrained));
        }
        _model = model;
        _data = data;
        _options = options;
        _epochs = epochs;
        _current = (float[])pretrained.Clone();
    }

    /// <summary>Fine-tunes on from the site's last model: θ_site after <c>epochs</c> more epochs, the training
    /// samples it rests on, and the time it took.</summary>
    public (float[] Parameters, long Samples, TimeSpan Elapsed) FineTune()
    {
        var started = Stopwatch.GetTimestamp();
        _model.SetParameters(_current);
        var train = _data.Train.ToTrainingData();
        for (var e = 0; e < _epochs; e++)
        {
            _model.TrainEpoch(train, _options with { Seed = _options.Seed + (ulong)_epochsDone });
            _epochsDone++;
        }
        _model.GetParameters(_current);
        return ((float[])_current.Clone(), _data.Train.Count, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Each candidate's cross-entropy on the site's validation split.</summary>
    public double[] ValidationLosses(IReadOnlyList<float[]> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var losses = new double[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            _model.SetParameters(candidates[i]);
            losses[i] = CentralTraining.Evaluate(_model, _data.Validation).Loss;
        }
        return losses;
    }

    public void Dispose() => _model.Dispose();
}
