using Swarm.Node.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>The round entropy a node keeps so that a restarted site can still answer the round's unmask request.</summary>
public sealed class SecAggEntropyFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secagg-entropy-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_round_gets_the_same_bytes_after_a_restart_a_new_round_fresh_ones_and_earlier_rounds_are_deleted()
    {
        var first = new SecAggEntropyFile(_directory).For(3);
        var again = new SecAggEntropyFile(_directory).For(3);
        Assert.Equal(32, first.Length);
        Assert.Equal(first, again);
        var next = new SecAggEntropyFile(_directory).For(4);
        Assert.NotEqual(first, next);
        Assert.False(File.Exists(Path.Combine(_directory, "round-3.key")));
        Assert.True(File.Exists(Path.Combine(_directory, "round-4.key")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, "round-4.key")));
        }
    }

    [Fact]
    public void Two_nodes_draw_different_bytes_for_the_same_round()
    {
        var other = _directory + "-other";
        try
        {
            Assert.NotEqual(new SecAggEntropyFile(_directory).For(1), new SecAggEntropyFile(other).For(1));
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
