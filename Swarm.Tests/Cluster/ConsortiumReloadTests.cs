using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Swarm.Node.Cli;
using Swarm.Node.Networking;
using Swarm.Node.Service;
using Swarm.Node.Tasks;
using Swarm.Tests.Tasks;
using Xunit.Abstractions;
using AkkaCluster = Akka.Cluster.Cluster;
using AkkaMemberStatus = Akka.Cluster.MemberStatus;

namespace Swarm.Tests.Cluster;

/// <summary>A running node re-reads its consortium file (<c>ClusterNode.ReloadConsortium</c>, which SIGHUP and
/// <c>POST /admin/consortium/reload</c> call): a member removed from the file, or whose key is rotated, loses its
/// cluster link at once and is refused at its next TLS handshake; a broken or older file changes nothing; members
/// tell each other the version and digest of their file, and a difference shows in <c>swarm status</c>.</summary>
public sealed class ConsortiumReloadTests(ITestOutputHelper output)
{
    /// <summary>How soon after the reload the removed member's link must be closed (issue 17).</summary>
    private static readonly TimeSpan CloseWithin = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_removed_members_cluster_link_closes_within_one_second_of_the_reload_and_it_stays_refused()
    {
        await using var cluster = new ReloadCluster(28640, "a", "b", "c");
        var start = cluster.Consortium;
        foreach (var name in cluster.Names)
        {
            await cluster.StartAsync(name, start);
        }
        await ReloadCluster.WaitUntilAsync("a, b and c are up", () => cluster.Names.All(n => cluster.AllUp(n, 3)));
        var without = start.Without("c")!;
        var c = ReloadCluster.AddressOf(start, "c");
        cluster.WriteFile("a", without);
        cluster.WriteFile("b", without);

        var clock = Stopwatch.StartNew();
        var reloadedAt = DateTime.UtcNow;
        var onA = cluster["a"].Node!.ReloadConsortium();
        var onB = cluster["b"].Node!.ReloadConsortium();
        await ReloadCluster.WaitUntilAsync("a and b closed c's link", () =>
            new[] { "a", "b" }.All(n => cluster.SawDisassociated(n, c, reloadedAt)
                && !AkkaCluster.Get(cluster[n].System).State.Members.Any(m => m.Address == c && m.Status == AkkaMemberStatus.Up)));
        var closed = clock.Elapsed;
        output.WriteLine($"c's link closed on a and b {closed.TotalMilliseconds:0} ms after the reload");

        Assert.True(onA.Applied && onB.Applied, onA.Problem ?? onB.Problem);
        Assert.Equal(["c"], onA.Removed);
        Assert.True(closed < CloseWithin, $"c's link closed {closed.TotalMilliseconds:0} ms after the reload, not within {CloseWithin.TotalMilliseconds:0} ms");
        Assert.All(new[] { "a", "b" }, n => Assert.True(cluster[n].Disassociated.First(d => d.Remote == c && d.At >= reloadedAt).At - reloadedAt < CloseWithin));
        Assert.Contains(cluster["a"].Log.Lines, l => l.Contains("consortium reloaded", StringComparison.Ordinal)
            && l.Contains("v1 ", StringComparison.Ordinal) && l.Contains("-> v2 ", StringComparison.Ordinal) && l.Contains("removed [c]", StringComparison.Ordinal));
        // c still pins a and b, and its operator starts it again: its handshakes are refused, and it never comes back
        // up. (The running c is stopped first. It may already have stopped dialing by itself: when the last gossip it
        // got shows it removed, its cluster leaves for good, and then nothing of it dials a or b again.)
        await cluster["c"].Node!.DisposeAsync();
        await cluster["c"].System.Terminate();
        await cluster.StartAsync("c", start);
        await ReloadCluster.WaitUntilAsync("a or b refuses c's new handshake", () => cluster["a"].Refused("node 'c'") || cluster["b"].Refused("node 'c'"));
        Assert.Contains(cluster["a"].Log.Lines.Concat(cluster["b"].Log.Lines), l => l.Contains("is not a member of consortium 'reload-test'", StringComparison.Ordinal));
        Assert.All(new[] { "a", "b" }, n => Assert.DoesNotContain(AkkaCluster.Get(cluster[n].System).State.Members, m => m.Address == c && m.Status == AkkaMemberStatus.Up));
        await ReloadCluster.WaitUntilAsync("a and b are a cluster of two", () => cluster.AllUp("a", 2) && cluster.AllUp("b", 2)
            && AkkaCluster.Get(cluster["a"].System).State.Members.Count == 2, () => cluster.View("a") + "; " + cluster.View("b"));
    }

    [Fact]
    public async Task After_a_key_rotation_and_a_reload_the_old_certificate_is_refused_and_the_new_one_joins()
    {
        await using var cluster = new ReloadCluster(28650, "a", "b", "c");
        var start = cluster.Consortium;
        foreach (var name in cluster.Names)
        {
            await cluster.StartAsync(name, start);
        }
        await ReloadCluster.WaitUntilAsync("a, b and c are up", () => cluster.Names.All(n => cluster.AllUp(n, 3)));
        var oldCertificate = cluster.Identity("c").Certificate;
        var newIdentity = cluster.Rotate("c");
        var rotated = start.Replacing(newIdentity.ToMember(cluster.Endpoint(2)))!;
        cluster.WriteFile("a", rotated);
        cluster.WriteFile("b", rotated);
        Assert.Null(PeerAuthenticator.Refusal(cluster["a"].Source!.Current, oldCertificate, null));

        var reloadedAt = DateTime.UtcNow;
        var onA = cluster["a"].Node!.ReloadConsortium();
        cluster["b"].Node!.ReloadConsortium();

        Assert.Equal(["c"], onA.Changed);
        var c = ReloadCluster.AddressOf(start, "c");
        await ReloadCluster.WaitUntilAsync("a and b closed the link of c's old key", () =>
            new[] { "a", "b" }.All(n => cluster.SawDisassociated(n, c, reloadedAt)));
        // The operator restarts c with its new key. (It is stopped first: a survivor that dialed the old key and
        // refused it would stop itself, Akka.NET's TlsHandshakeFailureReason; see ClusterLinks.)
        await cluster["c"].Node!.DisposeAsync();
        await cluster["c"].System.Terminate();
        // What a's TLS validator asks at every handshake now refuses the old certificate and admits the new one.
        Assert.Contains("is not the pinned key", PeerAuthenticator.Refusal(cluster["a"].Source!.Current, oldCertificate, null), StringComparison.Ordinal);
        Assert.Null(PeerAuthenticator.Refusal(cluster["a"].Source!.Current, newIdentity.Certificate, null));
        var restarted = await cluster.StartAsync("c", rotated);
        await ReloadCluster.WaitUntilAsync("c with its new key is up on a, b and itself", () => cluster.Names.All(n => cluster.AllUp(n, 3)));
        Assert.Same(restarted, cluster["c"]);
    }

    [Fact]
    public async Task A_broken_or_older_file_changes_nothing_and_a_member_on_another_version_is_shown_as_a_mismatch()
    {
        await using var cluster = new ReloadCluster(28660, "a", "b");
        var start = cluster.Consortium with { Version = 5 };
        foreach (var name in cluster.Names)
        {
            await cluster.StartAsync(name, start);
        }
        await ReloadCluster.WaitUntilAsync("a and b are up", () => cluster.AllUp("a", 2) && cluster.AllUp("b", 2));
        var a = cluster["a"].Node!;
        await ReloadCluster.WaitUntilAsync("a heard b's version", () => Member(a, "b").Consortium is not null);
        Assert.Equal((start.VersionLabel, false), (Member(a, "b").Consortium, Member(a, "b").ConsortiumMismatch));

        // An older copy that drops b, then a half-written file: both refused, b stays pinned and up.
        cluster.WriteFile("a", start.Without("b")! with { Version = 4 });
        var refusedFrom = DateTime.UtcNow;
        var older = a.ReloadConsortium();
        File.WriteAllText(cluster.FileOf("a"), "consortium { name = \"reload-test\"\n  members = [ { id = \"a\" ");
        var broken = a.ReloadConsortium();

        Assert.False(older.Applied);
        Assert.Contains("has version 4, older than the version 5 in force", older.Problem, StringComparison.Ordinal);
        Assert.False(broken.Applied);
        Assert.Contains(cluster["a"].Log.Lines, l => l.Contains("consortium reload refused, v5 ", StringComparison.Ordinal));
        Assert.Equal(start.VersionLabel, (await a.HealthAsync(CancellationToken.None)).Consortium);
        Assert.True(cluster.AllUp("a", 2), cluster.View("a"));
        Assert.False(cluster.SawDisassociated("a", ReloadCluster.AddressOf(start, "b"), refusedFrom), "a refused file closed b's link");

        // A valid newer file on a only: a and b now differ, both see it, and a's status says so.
        var newer = start.Replacing(start.Find("b")!)!;
        cluster.WriteFile("a", newer);
        Assert.True(a.ReloadConsortium().Applied);
        var b = cluster["b"].Node!;
        await ReloadCluster.WaitUntilAsync("a and b see each other's other version", () =>
            Member(a, "b").ConsortiumMismatch && Member(b, "a").ConsortiumMismatch && Member(b, "a").Consortium == newer.VersionLabel);
        Assert.Equal(start.VersionLabel, Member(a, "b").Consortium);
        Assert.Contains(cluster["b"].Log.Lines, l => l.StartsWith("Warning:", StringComparison.Ordinal)
            && l.Contains($"consortium mismatch with member 'a': it has {newer.VersionLabel}, this node {start.VersionLabel}", StringComparison.Ordinal));
        var status = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await StatusCommand.PrintAsync(a.HttpAddress!, status, TextWriter.Null, CancellationToken.None));
        Assert.Contains($"{start.VersionLabel} MISMATCH", status.ToString(), StringComparison.Ordinal);
        Assert.Contains("warning: b has another consortium file in force", status.ToString(), StringComparison.Ordinal);

        // b reloads the same file through its admin API (as `curl -X POST …/admin/consortium/reload` would): the
        // mismatch clears on both sides.
        cluster.WriteFile("b", newer);
        using (var http = NodeApis.Client(b))
        using (var answer = await http.PostAsync(new Uri(b.HttpAddress!, "/admin/consortium/reload"), JsonContent.Create(new { })))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var result = await answer.Content.ReadFromJsonAsync<ConsortiumReloadResult>(TaskJson.Options);
            Assert.Equal((true, start.VersionLabel, newer.VersionLabel), (result!.Applied, result.Before, result.After));
        }
        await ReloadCluster.WaitUntilAsync("the mismatch clears", () => !Member(a, "b").ConsortiumMismatch && !Member(b, "a").ConsortiumMismatch);
        Assert.Equal(newer.VersionLabel, Member(a, "b").Consortium);
    }

    /// <summary>How <paramref name="node"/> reports member <paramref name="id"/> (its health report is built at once).</summary>
    private static MemberReport Member(ClusterNode node, string id) =>
        node.HealthAsync(CancellationToken.None).GetAwaiter().GetResult().Members.Single(m => m.Node == id);
}
