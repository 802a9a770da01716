using Swarm.Learning.Metrics;

namespace Swarm.Tests.Metrics;

public sealed class RocAucTests
{
    [Fact]
    public void Auc_equals_the_pairwise_win_rate_on_random_scores()
    {
        // The Mann–Whitney form must agree with counting every positive/negative pair directly.
        var random = new Swarm.Learning.Data.Partitioning.SeededRandom(17);
        var scores = new double[300];
        var positive = new bool[300];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = random.NextInt(20) / 20.0;
            positive[i] = random.NextInt(3) == 0;
        }
        double wins = 0, pairs = 0;
        for (var p = 0; p < scores.Length; p++)
        {
            for (var n = 0; n < scores.Length; n++)
            {
                if (positive[p] && !positive[n])
                {
                    pairs++;
                    wins += scores[p] > scores[n] ? 1 : scores[p] == scores[n] ? 0.5 : 0;
                }
            }
        }

        Assert.Equal(wins / pairs, RocAuc.Compute(scores, positive), 12);
    }

    [Fact]
    public void Auc_of_one_kind_of_label_is_undefined()
    {
        Assert.True(double.IsNaN(RocAuc.Compute([0.1, 0.2], [true, true])));
    }
}
