using Swarm.Tasks;
using System.Collections.Concurrent;
using System.Diagnostics;
using Swarm.Learning.Metrics;
using Swarm.Learning.Training;
using Swarm.Learning.Updates;

namespace Swarm.Actors.Training;

/// <summary>A site's side of the round protocol over one local model: local training to a published partial
/// update, recomputation of the round's aggregate, evaluation and personalization. Not thread-safe; the
/// <see cref="TrainerActor"/> calls it one message at a time.
/// <para>With FedPer local layers (<see cref="SiteSettings.LocalLayers"/>) those coordinates are never published,
/// and every global model the site adopts (to train, evaluate or personalize) keeps the site's own values there;
/// the round's aggregate and its hashes are the global ones, the same at every site.</para>
/// <para>A Byzantine <see cref="SiteSettings.Behavior"/> (tests and simulations only) poisons the published update
/// or the hashes of the site's recomputation.</para></summary>
public sealed partial class SiteTrainer : IDisposable
{
    private readonly ITrainer _trainer;
    private readonly SiteSettings _settings;
    private readonly ulong _siteSeed;
    private readonly LocalLayerMask _local;
    private readonly float[] _localValues;
    private readonly DpOptions? _dp;
    private readonly ConcurrentDictionary<int, float[]> _localAfterRound = new();
    private readonly ShareSelector _verifier;
    private ShareSelector _selector;
    private float[]? _residual;

    public SiteTrainer(string siteId, int siteIndex, ITrainer trainer, SiteData data, SiteSettings settings)
    {
        SiteId = siteId;
        _trainer = trainer;
        Data = data;
        _settings = settings;
        // Each site shuffles with its own stream, derived from the task's seed so a simulation repeats exactly.
        _siteSeed = settings.Options.Seed * 1_000_003UL + (ulong)siteIndex * 7_919UL;
        _local = LocalLayers.Mask(trainer.Layout, settings.LocalLayers);
        _localValues = new float[_local.Length];
        RememberLocalLayers();
        _verifier = _selector = new ShareSelector(trainer.Layout, _local, settings.Sharing);
        var q = SitePrivacyPlan.SamplingRateOf(settings.Options.BatchSize, data.Train.Count);
        _dp = settings.Privacy.Mode switch
        {
            PrivacyModes.None => null,
            PrivacyModes.Local => new DpOptions(settings.Privacy.ClipNorm, settings.Privacy.NoiseMultiplier, q) { Randomness = settings.NoiseRandomness },
            // Dopamine: one DP-SGD step per round with this site's share σ/√m of the noise (DopamineTerms).
            PrivacyModes.Dopamine => new DpOptions(settings.Privacy.ClipNorm,
                DopamineTerms.SiteNoiseMultiplier(settings.Privacy.NoiseMultiplier, settings.NoiseShares), q)
            {
                Randomness = settings.NoiseRandomness,
                Steps = 1,
            },
            _ => throw new ArgumentException($"site '{siteId}' cannot train privacy mode '{settings.Privacy.Mode}'", nameof(settings)),
        };
    }

    /// <summary>The DP-SGD options every round's local epochs run with; null without DP.</summary>
    public DpOptions? Dp => _dp;

    public string SiteId { get; }

    public SiteData Data { get; }

    /// <summary>The coordinates this site keeps to itself (empty unless FedPer local layers are set).</summary>
    public LocalLayerMask LocalMask => _local;

    /// <summary>
    /// With FedPer local layers: the site's model as of round <paramref name="round"/> built on
    /// <paramref name="global"/>, i.e. the global (shared) layers with the site's own local layers as its training
    /// of that round left them (of its last round trained before it, when it did not train that one); null when the
    /// site has no local layers or trained no round up to <paramref name="round"/>. Safe to call from another
    /// thread while the site trains.
    /// </summary>
    public float[]? ModelWithOwnLayers(ReadOnlySpan<float> global, int round)
    {
        var trained = _localAfterRound.Keys.Where(r => r <= round).DefaultIfEmpty(0).Max();
        if (_local.IsEmpty || !_localAfterRound.TryGetValue(trained, out var values))
        {
            return null;
        }
        var model = global.ToArray();
        var offset = 0;
        foreach (var block in _local.Blocks)
        {
            values.AsSpan(offset, (int)block.Length).CopyTo(model.AsSpan((int)block.Offset));
            offset += (int)block.Length;
        }
        return model;
    }

    /// <summary>Local epochs from the global model, then Δ = θ_local − θ_global cut to its top-θ share.</summary>
    /// <param name="ins">The round to train and the global model it starts from.</param>
    /// <param name="modelDone">Called once the site's model is no longer used (the epochs ran and the trained
    /// parameters are read out); Δ, its selection, the encoding and the hash follow in managed memory only.</param>
    public TrainRes Train(TrainIns ins, Action? modelDone = null)
    {
        var watch = Stopwatch.StartNew();
        RequireLength(ins.GlobalParameters);
        Adopt(ins.GlobalParameters);
        var loss = 0.0;
        var dpSteps = 0;
        for (var e = 0; e < ins.Epochs; e++)
        {
            var epoch = TrainEpoch(ins.EpochOffset + e, ins.TotalEpochs, privacy: _dp);
            loss += epoch.MeanLoss;
            dpSteps += _dp is null ? 0 : epoch.Steps;
        }
        if (_dp is { } dp && dpSteps != ins.Epochs * dp.StepsPerCall)
        {
            // The site accounts its ε from the planned steps; a trainer that took others would make the claim wrong.
            throw new InvalidOperationException(
                $"site '{SiteId}' took {dpSteps} DP-SGD steps in round {ins.Round}; its privacy plan counts {ins.Epochs * dp.StepsPerCall}");
        }
        var training = watch.Elapsed;
        // The trained parameters, then Δ in the same reused vector (Share copies what it sends; nothing keeps it).
        var pool = VectorPool<float>.Shared;
        var delta = pool.Rent(ins.GlobalParameters.Length);
        _trainer.GetParameters(delta);
        RememberLocalLayers();
        modelDone?.Invoke();
        for (var i = 0; i < delta.Length; i++)
        {
            delta[i] -= ins.GlobalParameters[i];
        }
        if (!_local.IsEmpty)
        {
            _localAfterRound[ins.Round] = (float[])_localValues.Clone();
        }
        var bytes = UpdateCodec.Encode(Share(delta, ins.Theta));
        pool.Return(delta);
        var update = new PublishedUpdate(SiteId, Data.Train.Count, bytes, RoundAggregate.HashOf(bytes));
        return new TrainRes(ins.Round, update, loss / Math.Max(1, ins.Epochs), watch.Elapsed) { TrainingTime = training, DpSteps = dpSteps };
    }

    /// <summary>
    /// The published share of this round's Δ (<see cref="ShareSelector"/>). With error feedback the part of Δ left
    /// unsent in earlier rounds is added first, and what stays unsent now is kept for the next round (Lin et al.,
    /// "Deep Gradient Compression", ICLR 2018, §3.1): a coordinate that moves a little every round is sent once its
    /// accumulated change is among the largest, instead of never. The residual lives in memory only; a restarted
    /// site starts again from zero.
    /// </summary>
    private SparseUpdate Share(float[] delta, double theta)
    {
        if (_selector.Options.Fraction != theta)
        {
            _selector = new ShareSelector(_trainer.Layout, _local, _settings.Sharing with { Fraction = theta });
        }
        if (_selector.Options.ErrorFeedback && _residual is { } residual)
        {
            for (var i = 0; i < delta.Length; i++)
            {
                delta[i] += residual[i];
            }
        }
        var sent = _selector.Select(delta);
        _residual = _selector.Options.ErrorFeedback && !sent.IsDense ? _selector.Residual(delta, sent) : null;
        if (_settings.Behavior is SiteBehavior.PoisonedUpdate poison)
        {
            var values = (float[])sent.Values.Clone();
            Scale(values, poison.Scale);
            sent = SparseUpdate.Create(sent.Length, sent.Indices, values);
        }
        return sent;
    }

    /// <summary>The site's own recomputation of the round's aggregate from the published bytes; an update that
    /// breaks the task's sharing rule is refused (<see cref="RoundAggregate.Compute"/>).</summary>
    public AggregateRes Verify(AggregateIns ins)
    {
        try
        {
            RequireLength(ins.GlobalParameters);
            var aggregate = RoundAggregate.Compute(_settings.Strategy, ins.GlobalParameters, ins.Updates, _verifier);
            if (_settings.Behavior is SiteBehavior.WrongAggregateHash wrong)
            {
                aggregate = Tamper(aggregate, ins.GlobalParameters, wrong.Shift);
            }
            ClassificationResult? validation = null;
            if (ins.Evaluate)
            {
                Adopt(aggregate.Parameters);
                validation = CentralTraining.Evaluate(_trainer, Data.Validation).Metrics;
            }
            return new AggregateRes(SiteId, ins.Round, aggregate.AggregateHash, aggregate.ModelHash)
            {
                Parameters = aggregate.Parameters,
                Validation = validation,
                Refused = [.. aggregate.Refused.Select(r => r.Reason)],
            };
        }
        catch (Exception e) when (e is InvalidUpdateException or ArgumentException)
        {
            return new AggregateRes(SiteId, ins.Round, "", "", e.Message);
        }
    }

    public EvaluateRes Evaluate(EvaluateIns ins)
    {
        RequireLength(ins.Parameters);
        Adopt(ins.Parameters);
        var split = ins.Split == EvaluationSplit.Validation ? Data.Validation : Data.Test;
        var (metrics, loss) = CentralTraining.Evaluate(_trainer, split);
        return new EvaluateRes(SiteId, ins.Split, metrics, loss, split.Count) { Round = ins.Round };
    }

    /// <summary>Fine-tunes the global model on the site's training data, keeps the epoch with the best AUC on the
    /// site's validation slice (the lowest loss when the slice has one class, <see cref="EpochSelection"/>), and
    /// scores both models on the site's test slice.</summary>
    public PersonalizeRes Personalize(PersonalizeIns ins)
    {
        RequireLength(ins.GlobalParameters);
        Adopt(ins.GlobalParameters);
        var global = CentralTraining.Evaluate(_trainer, Data.Test).Metrics;
        var best = new float[ins.GlobalParameters.Length];
        var selection = new EpochSelection();
        for (var e = 0; e < ins.Epochs; e++)
        {
            TrainEpoch(e, ins.Epochs, ins.LearningRate);
            var (validation, loss) = CentralTraining.Evaluate(_trainer, Data.Validation);
            if (selection.Offer(e + 1, validation.Auc, loss))
            {
                _trainer.GetParameters(best);
            }
        }
        var bestEpoch = selection.Epoch;
        var personalized = global;
        if (bestEpoch > 0)
        {
            _trainer.SetParameters(best);
            RememberLocalLayers();
            personalized = CentralTraining.Evaluate(_trainer, Data.Test).Metrics;
        }
        return new PersonalizeRes(SiteId, global, personalized, bestEpoch);
    }

    public void Dispose()
    {
        _anchor?.Dispose();
        _trainer.Dispose();
    }

    /// <summary>One epoch on the site's training data; DP-SGD when <paramref name="privacy"/> is set (the rounds'
    /// local epochs under local DP; personalization's fine-tuning never leaves the site and runs without it).</summary>
    private EpochResult TrainEpoch(int epoch, int totalEpochs, double? constantRate = null, DpOptions? privacy = null)
    {
        var options = _settings.Options;
        var rate = constantRate ?? _settings.Schedule.At(options.LearningRate, epoch, Math.Max(1, totalEpochs));
        return _trainer.TrainEpoch(Data.Train.ToTrainingData(),
            options with { LearningRate = rate, Seed = _siteSeed + (ulong)epoch, Privacy = privacy, Transfer = privacy is null ? _anchor : null });
    }

    /// <summary>Loads a global model, keeping the site's own values of its local layers.</summary>
    private void Adopt(float[] global)
    {
        _trainer.SetParameters(global);
        if (!_local.IsEmpty)
        {
            _trainer.SetParameters(_local.Entries, _localValues);
        }
    }

    private void RememberLocalLayers()
    {
        if (!_local.IsEmpty)
        {
            _trainer.GetParameters(_local.Entries, _localValues);
        }
    }

    private static void Scale(float[] delta, double factor)
    {
        for (var i = 0; i < delta.Length; i++)
        {
            delta[i] = (float)(delta[i] * factor);
        }
    }

    /// <summary>The aggregate a dishonest replica claims: the honest Δ_agg with its first coordinate shifted.</summary>
    private static RoundAggregate Tamper(RoundAggregate honest, float[] global, float shift)
    {
        var delta = (float[])honest.Delta.Clone();
        delta[0] += shift;
        return RoundAggregate.FromDelta(global, delta);
    }

    private void RequireLength(float[] parameters)
    {
        if (parameters.Length != _trainer.Layout.TotalLength)
        {
            throw new ArgumentException(
                $"site '{SiteId}' got {parameters.Length} parameters, its model has {_trainer.Layout.TotalLength}");
        }
    }
}
