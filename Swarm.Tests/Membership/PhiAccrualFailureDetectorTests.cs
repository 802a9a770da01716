using Swarm.Actors.Membership;

namespace Swarm.Tests.Membership;

public sealed class PhiAccrualFailureDetectorTests
{
    private static readonly FailureDetectorOptions Options = new(
        PhiThreshold: 8,
        FirstHeartbeatEstimate: TimeSpan.FromMilliseconds(1000),
        MinStdDeviation: TimeSpan.FromMilliseconds(100),
        AcceptableHeartbeatPause: TimeSpan.Zero);

    [Fact]
    public void Phi_is_zero_before_the_first_heartbeat()
    {
        var detector = new PhiAccrualFailureDetector(Options);

        Assert.Equal(0, detector.Phi(TimeSpan.FromHours(1)));
        Assert.True(detector.IsAvailable(TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Phi_grows_with_silence_and_passes_the_threshold_after_regular_heartbeats_stop()
    {
        var detector = Regular(count: 20, every: 1000);
        var last = TimeSpan.FromMilliseconds(19_000);

        var phis = Enumerable.Range(0, 30).Select(i => detector.Phi(last + TimeSpan.FromMilliseconds(i * 100))).ToArray();

        Assert.True(phis.Zip(phis.Skip(1), (earlier, later) => later >= earlier).All(rising => rising), string.Join(", ", phis));
        Assert.True(detector.IsAvailable(last + TimeSpan.FromMilliseconds(1000)));
        Assert.True(detector.Phi(last + TimeSpan.FromMilliseconds(1000)) < 1);
        Assert.False(detector.IsAvailable(last + TimeSpan.FromMilliseconds(2000)));
    }

    [Fact]
    public void The_acceptable_pause_delays_suspicion_by_that_much()
    {
        var strict = Regular(count: 20, every: 1000);
        var tolerant = Regular(count: 20, every: 1000, Options with { AcceptableHeartbeatPause = TimeSpan.FromSeconds(3) });
        var at = TimeSpan.FromMilliseconds(19_000 + 2500);

        Assert.False(strict.IsAvailable(at));
        Assert.True(tolerant.IsAvailable(at));
    }

    [Fact]
    public void Jittery_heartbeats_widen_the_distribution_and_lower_phi()
    {
        var regular = Regular(count: 40, every: 1000);
        var jittery = new PhiAccrualFailureDetector(Options);
        var random = new Random(3);
        var time = TimeSpan.Zero;
        for (var i = 0; i < 40; i++)
        {
            time += TimeSpan.FromMilliseconds(random.Next(500, 1500));
            jittery.Heartbeat(time);
        }

        Assert.True(jittery.Phi(time + TimeSpan.FromMilliseconds(1600)) < regular.Phi(TimeSpan.FromMilliseconds(39_000 + 1600)));
    }

    [Theory]
    [InlineData(1000, 1000, 100, 0.30103)]
    [InlineData(1100, 1000, 100, 0.79818)]
    [InlineData(1300, 1000, 100, 2.86950)]
    public void Phi_matches_the_normal_tail_within_the_approximation_error(double elapsed, double mean, double deviation, double expected)
    {
        // Expected values are −log10(1 − Φ(y)) of the exact normal CDF for y = 0, 1, 3.
        Assert.Equal(expected, PhiAccrualFailureDetector.PhiOf(elapsed, mean, deviation), precision: 1);
    }

    private static PhiAccrualFailureDetector Regular(int count, int every, FailureDetectorOptions? options = null)
    {
        var detector = new PhiAccrualFailureDetector(options ?? Options);
        for (var i = 0; i < count; i++)
        {
            detector.Heartbeat(TimeSpan.FromMilliseconds(i * every));
        }
        return detector;
    }
}
