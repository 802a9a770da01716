namespace Swarm.Consensus.Blocks;

/// <summary>The members in force for a range of heights and the quorum sizes derived from them. With n members
/// tolerating f faults a quorum is ⌈(n + f + 1) / 2⌉ (2f + 1 when n = 3f + 1), so two quorums always share an
/// honest member (Castro and Liskov §4.1 for n = 3f + 1; the general form keeps that property for other n).</summary>
public sealed class Configuration
{
    private readonly Dictionary<int, Member> _byId;

    public Configuration(IReadOnlyList<Member> members, int f)
    {
        Invariant.Assert(Validate(members, f) is null, "configuration must be validated before use: " + Validate(members, f));
        Members = members.OrderBy(m => m.Id).ToArray();
        F = f;
        _byId = Members.ToDictionary(m => m.Id);
        Quorum = (Members.Count + f + 2) / 2;
    }

    public IReadOnlyList<Member> Members { get; }
    public int F { get; }
    public int N => Members.Count;

    /// <summary>Matching votes needed for prepared, committed, stable checkpoint and new view.</summary>
    public int Quorum { get; }

    /// <summary>Votes that include at least one honest member (f + 1).</summary>
    public int WeakQuorum => F + 1;

    public bool Contains(int id) => _byId.ContainsKey(id);

    public Member? Find(int id) => _byId.GetValueOrDefault(id);

    /// <summary>The primary of a view: members in id order, round robin (§4.1: p = v mod |R|).</summary>
    public int Primary(long view) => Members[(int)(view % N)].Id;

    public static string? Validate(IReadOnlyList<Member> members, int f)
    {
        if (f < 0)
        {
            return $"f = {f} is negative";
        }
        if (members.Count < 3 * f + 1)
        {
            return $"{members.Count} members cannot tolerate f = {f} faults (need at least {3 * f + 1})";
        }
        if (members.Count > Genesis.MembersMax)
        {
            return $"{members.Count} members exceed the limit of {Genesis.MembersMax}";
        }
        if (members.Select(m => m.Id).Distinct().Count() != members.Count)
        {
            return "member ids are not distinct";
        }
        return members.Any(m => m.Id < 0) ? "member ids must not be negative" : null;
    }

    /// <summary>The configuration after a change, with f = ⌊(n − 1) / 3⌋; null when the change would leave no
    /// usable configuration (for example, removing the last member). Every replica decides this identically.</summary>
    public Configuration? Apply(MembershipChange change)
    {
        if (change.Kind == MembershipChangeKind.Add && Contains(change.Member.Id))
        {
            // A member's key is never replaced by a change: an id stays bound to the key it joined with.
            return null;
        }
        var members = Members.Where(m => m.Id != change.Member.Id).ToList();
        if (change.Kind == MembershipChangeKind.Add)
        {
            members.Add(change.Member);
        }
        var f = Math.Max(0, (members.Count - 1) / 3);
        return Validate(members, f) is null && members.Count > 0 ? new Configuration(members, f) : null;
    }

    public override string ToString() => $"n={N} f={F} quorum={Quorum}";
}
