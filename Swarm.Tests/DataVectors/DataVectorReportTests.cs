using Swarm.Node.Experiments;

namespace Swarm.Tests.DataVectors;

public sealed class DataVectorReportTests
{
    [Fact]
    public void Signed_differences_never_print_a_negative_zero()
    {
        Assert.Equal("+0.0000", DataVectorReport.Signed(-1e-17));
        Assert.Equal("+0.0000", DataVectorReport.Signed(-0.0));
        Assert.Equal("-0.0123", DataVectorReport.Signed(-0.01234));
        Assert.Equal("+0.2173", DataVectorReport.Signed(0.21731));
        Assert.Equal("NaN", DataVectorReport.Signed(double.NaN));
    }

    [Fact]
    public void Settings_problems_name_the_option()
    {
        Assert.Null(new DataVectorSettings().Problem());
        Assert.Contains("--datasets: 'pathmnist'", new DataVectorSettings { Datasets = ["pathmnist"] }.Problem(), StringComparison.Ordinal);
        Assert.Contains("--sites", new DataVectorSettings { Sites = 1 }.Problem(), StringComparison.Ordinal);
        Assert.Contains("--seeds", new DataVectorSettings { Seeds = [1, 1] }.Problem(), StringComparison.Ordinal);
        Assert.Contains("--model", new DataVectorSettings { Model = "vit" }.Problem(), StringComparison.Ordinal);
        Assert.Equal([0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0, 1.125, 1.25, 1.375, 1.5], new DataVectorSettings().LambdaGrid);
    }
}
