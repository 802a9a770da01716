using Swarm.Learning.Data;
using Swarm.Learning.Metrics;
using Swarm.Learning.Privacy;
using Swarm.Learning.Training;
using Swarm.Learning.Updates;

namespace Swarm.Learning.Audit;

/// <summary>Settings of a membership-inference audit of a swarm run.</summary>
/// <param name="Sites">Sites training together (equal sample counts, so FedAvg is the plain mean).</param>
/// <param name="MembersPerSite">Training images of each site, drawn at random from the training split.</param>
/// <param name="NonMembers">Images no site trained on, from the same split.</param>
/// <param name="Rounds">Rounds of FedAvg.</param>
/// <param name="LocalEpochs">Epochs each site trains per round.</param>
/// <param name="Theta">The fraction of coordinates each site shares (top-θ by magnitude, the rest kept local).</param>
/// <param name="Dp">DP-SGD at every site (local DP; null: plain training).</param>
/// <param name="Delta">δ of the reported ε.</param>
/// <param name="BatchSize">Every site's mini-batch.</param>
/// <param name="LearningRate">Adam's rate, constant.</param>
/// <param name="Seed">Seeds the draw of members and the training.</param>
public sealed record SwarmMembershipSettings(int Sites = 4, int MembersPerSite = 64, int NonMembers = 256, int Rounds = 30,
    int LocalEpochs = 1, double Theta = 1.0, DpOptions? Dp = null, double Delta = 1e-5, int BatchSize = 16,
    double LearningRate = 1e-3, int Seed = 1);

/// <summary>Attack AUCs (0.5: the attacker learns nothing) against what the parties of a swarm see.</summary>
/// <param name="GlobalModelAuc">Loss-threshold attack on the final global model, every site's members against the
/// non-members (what any participant, or anyone the model is given to, can mount).</param>
/// <param name="SiteUpdateAuc">Loss-drop attack on site 0's last published update, site 0's members against the
/// non-members (what a peer sees in a plain round).</param>
/// <param name="SumOfSitesAuc">The same attack on the mean of all sites' last updates (all a peer sees under secure
/// aggregation or secret sharing: the next global model).</param>
/// <param name="Epsilon">Each site's ε at <see cref="SwarmMembershipSettings.Delta"/> with DP, else null.</param>
/// <param name="GlobalTestAuc">The final global model's test AUC.</param>
public sealed record SwarmMembershipOutcome(double GlobalModelAuc, double SiteUpdateAuc, double SumOfSitesAuc, double? Epsilon,
    double GlobalTestAuc);

/// <summary>
/// Membership inference against a swarm run (FedAvg over equal sites, in one process): the loss-threshold attack
/// (Yeom et al., CSF 2018) on the final global model, and on one site's published update an attack that scores a
/// candidate image by how much its loss drops from the round's starting model w to w + Δ (a peer knows both in a
/// plain round; the update-difference attacks of Salem et al., USENIX Security 2020, "Updates-Leak", read what a
/// model change says about the data behind it the same way). The same score for w + mean of all sites' updates, the
/// next global model, is the attack left to a peer under secure aggregation or secret sharing. An earlier version
/// scored the cosine of a candidate's gradient with −Δ; under Adam it barely beat chance (AUC 0.53) and was dropped.
/// </summary>
public static class SwarmMembershipInference
{
    public static SwarmMembershipOutcome Run(Func<TorchTrainer> models, MedMnistSplits splits, SwarmMembershipSettings settings)
    {
        var train = splits.Train;
        var n = settings.MembersPerSite;
        var needed = (settings.Sites * n) + settings.NonMembers;
        if (settings.Sites < 2 || n < 2 || settings.NonMembers < 2 || settings.Rounds < 1 || settings.LocalEpochs < 1 || needed > train.Count)
        {
            throw new ArgumentException($"{settings.Sites} sites of {n} members and {settings.NonMembers} non-members need {needed} training images; the split has {train.Count}");
        }
        if (!(settings.Theta > 0 && settings.Theta <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Theta, "θ must be in (0, 1]");
        }
        var shape = new ImageShape(train.Channels, train.Height, train.Width);
        var slice = MembershipInference.RandomSlices(train, settings.Seed);
        var sites = Enumerable.Range(0, settings.Sites).Select(k => slice(k * n, n)).ToArray();
        var nonMembers = slice(settings.Sites * n, settings.NonMembers);

        // One model per site, so each keeps its own optimizer state across rounds as a site of the swarm does.
        var siteModels = Enumerable.Range(0, settings.Sites).Select(_ => models()).ToArray();
        using var cleanup = new Disposer(siteModels);
        var model = siteModels[0];
        var length = (int)model.Layout.TotalLength;
        var global = new float[length];
        model.GetParameters(global);
        var options = new TrainOptions
        {
            LearningRate = settings.LearningRate, BatchSize = settings.BatchSize, Seed = (ulong)settings.Seed, Privacy = settings.Dp,
        };
        var start = global;
        var lastUpdates = new float[settings.Sites][];
        for (var round = 0; round < settings.Rounds; round++)
        {
            start = (float[])global.Clone();
            var sum = new double[length];
            for (var site = 0; site < settings.Sites; site++)
            {
                var trainer = siteModels[site];
                trainer.SetParameters(start);
                for (var epoch = 0; epoch < settings.LocalEpochs; epoch++)
                {
                    var seed = ((ulong)settings.Seed * 1_000_003UL) + (ulong)((((round * settings.Sites) + site) * settings.LocalEpochs) + epoch);
                    trainer.TrainEpoch(sites[site], options with { Seed = seed });
                }
                var local = new float[length];
                trainer.GetParameters(local);
                var update = Shared(local, start, settings.Theta);
                lastUpdates[site] = update;
                for (var i = 0; i < length; i++)
                {
                    sum[i] += update[i];
                }
            }
            for (var i = 0; i < length; i++)
            {
                global[i] = (float)(start[i] + (sum[i] / settings.Sites));
            }
        }

        // The global model: every site's members against the non-members.
        model.SetParameters(global);
        var allMembers = Concat(sites, shape);
        var globalAuc = MembershipInference.ClassBalancedAuc(
            MembershipInference.Losses(model, allMembers.Images, allMembers.Labels.Span, shape).Select(l => -l).ToArray(), allMembers.Labels.ToArray(),
            MembershipInference.Losses(model, nonMembers.Images, nonMembers.Labels.Span, shape).Select(l => -l).ToArray(), nonMembers.Labels.ToArray());
        var test = ClassificationMetrics.Compute(model.Predict(splits.Test.Images, shape), splits.Test.Labels, model.Classes);

        // Site 0's last update, and the mean of all (the next global model), applied to that round's starting model:
        // how much each candidate's loss drops.
        model.SetParameters(start);
        var startMembers = MembershipInference.Losses(model, sites[0].Images, sites[0].Labels.Span, shape);
        var startNonMembers = MembershipInference.Losses(model, nonMembers.Images, nonMembers.Labels.Span, shape);
        double Auc(float[] update, double scale)
        {
            var moved = new float[length];
            for (var i = 0; i < length; i++)
            {
                moved[i] = (float)(start[i] + (scale * update[i]));
            }
            model.SetParameters(moved);
            var member = MembershipInference.Losses(model, sites[0].Images, sites[0].Labels.Span, shape);
            var nonMember = MembershipInference.Losses(model, nonMembers.Images, nonMembers.Labels.Span, shape);
            return MembershipInference.ClassBalancedAuc(
                member.Select((l, i) => startMembers[i] - l).ToArray(), sites[0].Labels.ToArray(),
                nonMember.Select((l, i) => startNonMembers[i] - l).ToArray(), nonMembers.Labels.ToArray());
        }
        var sumOfSites = new float[length];
        foreach (var update in lastUpdates)
        {
            for (var i = 0; i < length; i++)
            {
                sumOfSites[i] += update[i];
            }
        }
        var siteAuc = Auc(lastUpdates[0], 1.0);
        var sumAuc = Auc(sumOfSites, 1.0 / settings.Sites);

        double? epsilon = settings.Dp is { } dp && dp.NoiseMultiplier > 0
            ? RdpAccountant.ComputeEpsilon(dp.SamplingRate, dp.NoiseMultiplier,
                (long)settings.Rounds * settings.LocalEpochs * DpOptions.StepsPerEpoch(dp.SamplingRate), settings.Delta).Epsilon
            : null;
        return new SwarmMembershipOutcome(globalAuc, siteAuc, sumAuc, epsilon, test.Auc);
    }

    /// <summary>The update a site shares: local − start on its top-θ coordinates, zero elsewhere.</summary>
    private static float[] Shared(float[] local, float[] start, double theta)
    {
        var delta = new float[local.Length];
        for (var i = 0; i < delta.Length; i++)
        {
            delta[i] = local[i] - start[i];
        }
        if (theta >= 1)
        {
            return delta;
        }
        var sparse = PartialUpdate.SelectTop(delta, theta);
        var shared = new float[delta.Length];
        for (var k = 0; k < sparse.Indices.Length; k++)
        {
            shared[sparse.Indices[k]] = sparse.Values[k];
        }
        return shared;
    }

    private static TrainingData Concat(TrainingData[] parts, ImageShape shape)
    {
        var images = parts.SelectMany(p => p.Images.ToArray()).ToArray();
        var labels = parts.SelectMany(p => p.Labels.ToArray()).ToArray();
        return new TrainingData(images, labels, shape);
    }

    private sealed class Disposer(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }
}
