using Swarm.Node.Dashboard;
using Swarm.Tasks;
using Swarm.Tests.Blobs;

namespace Swarm.Tests.Dashboard;

/// <summary>The dashboard's sessions on manual time, and the validation points its curve draws.</summary>
public sealed class DashboardSessionsTests
{
    [Fact]
    public void A_session_lives_while_used_ends_when_idle_or_old_or_closed_and_only_its_own_key_matches()
    {
        var time = new ManualTimeProvider();
        var sessions = new DashboardSessions(time);
        var key = sessions.Open();

        Assert.Equal(64, key.Length);
        Assert.True(sessions.Matches(key));
        Assert.False(sessions.Matches(key[..^1] + (key[^1] == '0' ? '1' : '0')));
        Assert.False(sessions.Matches(null));
        // Used every 29 minutes, it outlives the idle timeout, but not its lifetime.
        for (var used = TimeSpan.Zero; used + TimeSpan.FromMinutes(29) < DashboardSessions.Lifetime; used += TimeSpan.FromMinutes(29))
        {
            time.Advance(TimeSpan.FromMinutes(29));
            Assert.True(sessions.Matches(key), $"ended after {used + TimeSpan.FromMinutes(29)} though used");
        }
        time.Advance(TimeSpan.FromMinutes(29));
        Assert.False(sessions.Matches(key));

        var idle = sessions.Open();
        time.Advance(DashboardSessions.IdleTimeout);
        Assert.False(sessions.Matches(idle));

        var closed = sessions.Open();
        sessions.Close(closed);
        Assert.False(sessions.Matches(closed));
    }

    [Fact]
    public void Past_the_limit_a_login_ends_the_oldest_session()
    {
        var time = new ManualTimeProvider();
        var sessions = new DashboardSessions(time);
        var keys = new List<string>();
        for (var i = 0; i <= DashboardSessions.SessionsMax; i++)
        {
            keys.Add(sessions.Open());
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(DashboardSessions.SessionsMax, sessions.Count);
        Assert.False(sessions.Matches(keys[0]));
        Assert.All(keys.Skip(1), k => Assert.True(sessions.Matches(k)));
    }

    [Fact]
    public void A_rounds_validation_is_the_image_weighted_mean_of_the_sites_reports()
    {
        var point = RoundValidation.Of(3, [new ValidationReport(3, "a", 0.9, 0.8, 100), new ValidationReport(3, "b", 0.6, 0.5, 50)])!;

        Assert.Equal((3, 2, 150L), (point.Round, point.Sites, point.Images));
        Assert.Equal(0.8, point.Auc, 12);
        Assert.Equal(0.7, point.Accuracy, 12);
        Assert.Null(RoundValidation.Of(4, []));
    }
}
