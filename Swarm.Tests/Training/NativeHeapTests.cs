using Swarm.Learning.Training;

namespace Swarm.Tests.Training;

public sealed class NativeHeapTests
{
    [Fact]
    public void Loading_the_engine_keeps_large_tensors_on_glibcs_heap()
    {
        TorchRuntime.EnsureLoaded();
        var operatorChose = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Any(name => name.StartsWith("MALLOC_", StringComparison.Ordinal) && name.EndsWith('_'));
        // This suite runs on Debian (glibc) with no MALLOC_ variables, where the settings must take.
        Assert.False(operatorChose, "the test environment sets glibc's MALLOC_ variables; run it without them");
        Assert.True(NativeHeap.Tuned, "mallopt refused the engine's heap settings");
    }
}
