using Swarm.Actors.Membership;

namespace Swarm.Tests.Membership;

public sealed class MembershipViewTests
{
    private const int Cases = 2000;

    [Fact]
    public void Merge_is_commutative_associative_and_idempotent_on_random_views()
    {
        var random = new Random(2024);
        for (var i = 0; i < Cases; i++)
        {
            var (a, b, c) = (RandomView(random), RandomView(random), RandomView(random));

            Assert.Equal(a.Merge(b), b.Merge(a));
            Assert.Equal(a.Merge(b).Merge(c), a.Merge(b.Merge(c)));
            Assert.Equal(a, a.Merge(a));
            Assert.Equal(a.Merge(b), a.Merge(b).Merge(b));
        }
    }

    [Fact]
    public void Merge_keeps_the_higher_incarnation_even_when_its_status_is_lower()
    {
        var down = MembershipView.Of([new Member("a", 1, MemberStatus.Down)]);
        var rejoined = MembershipView.Of([new Member("a", 2, MemberStatus.Joining)]);

        Assert.Equal(new Member("a", 2, MemberStatus.Joining), down.Merge(rejoined).Get("a"));
    }

    [Fact]
    public void Within_one_incarnation_the_later_status_wins()
    {
        var up = MembershipView.Of([new Member("a", 3, MemberStatus.Up)]);
        var unreachable = MembershipView.Of([new Member("a", 3, MemberStatus.Unreachable)]);

        Assert.Equal(MemberStatus.Unreachable, up.Merge(unreachable).Get("a")!.Status);
        Assert.Equal(MemberStatus.Unreachable, unreachable.Merge(up).Get("a")!.Status);
    }

    [Fact]
    public void Merge_is_the_union_of_the_nodes_both_views_know()
    {
        var left = MembershipView.Of([new Member("a", 1, MemberStatus.Up)]);
        var right = MembershipView.Of([new Member("b", 1, MemberStatus.Joining)]);

        Assert.Equal(["a", "b"], left.Merge(right).Members.Keys);
    }

    private static MembershipView RandomView(Random random)
    {
        var ids = new[] { "a", "b", "c", "d", "e" };
        var statuses = Enum.GetValues<MemberStatus>();
        return MembershipView.Of(ids.Where(_ => random.Next(3) > 0)
            .Select(id => new Member(id, random.Next(1, 4), statuses[random.Next(statuses.Length)])));
    }
}
