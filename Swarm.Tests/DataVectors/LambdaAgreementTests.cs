using Swarm.Learning.DataVectors;

namespace Swarm.Tests.DataVectors;

public sealed class LambdaAgreementTests
{
    [Fact]
    public void The_agreed_lambda_is_the_lower_median_of_the_proposals()
    {
        Assert.Equal(0.5, LambdaAgreement.Agree([1.0, 0.25, 0.5]));
        Assert.Equal(0.5, LambdaAgreement.Agree([0.75, 0.25, 0.5, 100.0]));
        Assert.Equal(0.75, LambdaAgreement.Agree([0.75]));
    }

    [Fact]
    public void One_extreme_proposal_cannot_move_the_agreed_lambda_past_the_honest_ones()
    {
        Assert.Equal(0.5, LambdaAgreement.Agree([0.5, 0.5, 0.25, 1e6]));
    }

    [Fact]
    public void No_proposal_or_a_negative_one_is_refused()
    {
        Assert.Throws<ArgumentException>(() => LambdaAgreement.Agree([]));
        Assert.Throws<ArgumentException>(() => LambdaAgreement.Agree([0.5, -1]));
    }

    [Fact]
    public void A_site_proposes_the_best_scoring_lambda_and_ties_go_to_the_smaller()
    {
        var grid = LambdaAgreement.Grid(2, 6);
        Assert.Equal([0.25, 0.5, 0.75, 1.0, 1.25, 1.5], grid);
        Assert.Equal(0.75, LambdaAgreement.Propose(grid, l => -Math.Abs(l - 0.8)));
        Assert.Equal(0.5, LambdaAgreement.Propose(grid, l => l is 0.5 or 1.0 ? 0.9 : 0.1));
        Assert.Equal(1.0, LambdaAgreement.Propose(grid, l => l < 1 ? double.NaN : 1 / l));
        Assert.Throws<ArgumentException>(() => LambdaAgreement.Propose(grid, _ => double.NaN));
    }
}
