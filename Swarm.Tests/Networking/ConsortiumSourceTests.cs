using Swarm.Node.Identity;

namespace Swarm.Tests.Networking;

/// <summary>A node re-reads its consortium file on SIGHUP through <see cref="ConsortiumSource"/>: a valid newer file is
/// put in force and names the members whose links must close; a broken, older or self-excluding file changes nothing.</summary>
public sealed class ConsortiumSourceTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly NodeIdentity _a = NodeIdentity.Create("a", 1);
    private readonly NodeIdentity _b = NodeIdentity.Create("b", 1);
    private readonly NodeIdentity _c = NodeIdentity.Create("c", 1);
    private readonly NodeIdentity _c2 = NodeIdentity.Create("c", 1);
    private readonly Consortium _start;
    private readonly string _file;

    public ConsortiumSourceTests()
    {
        _start = new Consortium("x", [_a.ToMember("h:1"), _b.ToMember("h:2"), _c.ToMember("h:3")], Version: 4);
        _file = _dir.Sub("consortium.conf");
        ConsortiumFile.Save(_file, _start);
    }

    public void Dispose()
    {
        foreach (var identity in new[] { _a, _b, _c, _c2 })
        {
            identity.Dispose();
        }
        _dir.Dispose();
    }

    [Fact]
    public void A_newer_valid_file_goes_in_force_and_names_removed_and_rotated_members()
    {
        var source = new ConsortiumSource(_file, ConsortiumFile.Load(_file));
        ConsortiumFile.Save(_file, _start.Without("b")!.Replacing(_c2.ToMember("h:3"))!);

        var reload = source.Reload("a");

        Assert.True(reload.Applied, reload.Problem);
        Assert.Equal(["b", "c"], reload.Cut);
        Assert.Equal(6, source.Current.Version);
        Assert.Null(source.Current.Find("b"));
        Assert.Equal(_c2.Fingerprint, source.Current.Find("c")!.Fingerprint);
    }

    [Fact]
    public void A_broken_an_older_or_a_self_excluding_file_changes_nothing_and_says_why()
    {
        var source = new ConsortiumSource(_file, ConsortiumFile.Load(_file));

        File.WriteAllText(_file, "consortium { name = \"x\"\n  members = [ { id = \"a\" ");
        var broken = source.Reload("a");
        ConsortiumFile.Save(_file, _start.Without("b")! with { Version = 3 });
        var older = source.Reload("a");
        ConsortiumFile.Save(_file, _start.Without("a")!);
        var withoutSelf = source.Reload("a");

        Assert.False(broken.Applied);
        Assert.Contains("consortium.conf", broken.Problem, StringComparison.Ordinal);
        Assert.False(older.Applied);
        Assert.Contains("has version 3, older than the version 4 in force", older.Problem, StringComparison.Ordinal);
        Assert.False(withoutSelf.Applied);
        Assert.Contains("no longer lists this node ('a')", withoutSelf.Problem, StringComparison.Ordinal);
        Assert.Same(source.Current, broken.After);
        Assert.Equal(3, source.Current.Members.Count);
        Assert.Equal(4, source.Current.Version);
    }
}
