using System.Collections.Immutable;

namespace Swarm.Actors.Membership;

/// <summary>The gossiped membership: one <see cref="Member"/> per node id. <see cref="Merge"/> keeps, for every
/// node, the entry with the highest (incarnation, status); it is commutative, associative and idempotent (a
/// join-semilattice, as in state-based CRDTs, Shapiro et al. 2011), so gossip converges whatever its order,
/// duplication or delay.</summary>
public sealed class MembershipView : IEquatable<MembershipView>
{
    public static readonly MembershipView Empty = new(ImmutableSortedDictionary<string, Member>.Empty.WithComparers(StringComparer.Ordinal));

    private MembershipView(ImmutableSortedDictionary<string, Member> members) => Members = members;

    /// <summary>Entries ordered by node id (ordinal), so views print and compare deterministically.</summary>
    public ImmutableSortedDictionary<string, Member> Members { get; }

    public int Count => Members.Count;

    public static MembershipView Of(IEnumerable<Member> members) => members.Aggregate(Empty, (view, member) => view.With(member));

    public Member? Get(string nodeId) => Members.GetValueOrDefault(nodeId);

    /// <summary>This view with <paramref name="member"/> merged in: replaced only when it supersedes the entry held.</summary>
    public MembershipView With(Member member)
    {
        var held = Get(member.NodeId);
        return held is null || member.Supersedes(held) ? new MembershipView(Members.SetItem(member.NodeId, member)) : this;
    }

    public MembershipView Merge(MembershipView other) =>
        Count >= other.Count ? other.Members.Values.Aggregate(this, (view, m) => view.With(m)) : other.Merge(this);

    public int CountIn(MemberStatus status) => Members.Values.Count(m => m.Status == status);

    public bool Equals(MembershipView? other) =>
        other is not null && Count == other.Count && Members.All(pair => other.Get(pair.Key) == pair.Value);

    public override bool Equals(object? obj) => Equals(obj as MembershipView);

    public override int GetHashCode() => Members.Values.Aggregate(0, (hash, m) => HashCode.Combine(hash, m));

    public override string ToString() => string.Join(", ", Members.Values);
}
