using System.Diagnostics;
using Swarm.Actors.Platform;
using Swarm.Node.Clustering;
using Swarm.Node.Configuration;
using Swarm.Node.Service;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Swarm.Tests.Cluster;

/// <summary>Four real <c>swarm node</c> processes on loopback, Akka.Cluster members over Akka.Remote with pinned
/// mutual TLS: they converge on membership; one is killed with SIGKILL and the others mark it unreachable, then the
/// split-brain resolver (keep-majority) downs and removes it; restarted, it rejoins as a new incarnation of its actor
/// system (a new uid); finally one stops on SIGTERM, leaves gracefully (absent, never down) and exits 0.</summary>
public sealed class FourNodeClusterTests : IDisposable
{
    private const int Size = 4;
    private const int Victim = 3;
    private const int Leaver = 0;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private readonly ClusterFiles _files = new(Size);
    private readonly SwarmNodeProcess?[] _nodes = new SwarmNodeProcess?[Size];

    [Fact]
    public async Task Four_nodes_converge_mark_a_killed_node_unreachable_then_down_and_take_it_back_after_a_restart()
    {
        for (var i = 0; i < Size; i++)
        {
            _nodes[i] = SwarmNodeProcess.Start(_files.Names[i], _files.ConfigPath(i), ClusterFiles.HttpPort(i));
        }
        await WaitUntilAsync("converge", Nodes(), report => AllUp(report, Size));
        var victim = _files.Names[Victim];
        var firstLife = (await _nodes[Victim]!.HealthAsync())!.Members.Single(m => m.Node == victim).Uid;

        _nodes[Victim]!.Kill();
        var seen = await WatchUntilDownAsync(victim);
        foreach (var (observer, statuses) in seen)
        {
            var unreachable = statuses.IndexOf("unreachable");
            Assert.True(unreachable >= 0 && unreachable < statuses.FindIndex(s => s is "down" or "absent"),
                $"{observer} saw {victim} as: {string.Join(" -> ", statuses)} (expected up -> unreachable -> down or absent)");
            Assert.All(statuses, s => Assert.Contains(s, new[] { "up", "unreachable", "down", "absent" }));
        }

        _nodes[Victim]!.Dispose();
        _nodes[Victim] = SwarmNodeProcess.Start(victim, _files.ConfigPath(Victim), ClusterFiles.HttpPort(Victim));
        await WaitUntilAsync("rejoin", Nodes(), report => AllUp(report, Size));
        foreach (var node in Nodes())
        {
            var entry = (await node.HealthAsync())!.Members.Single(m => m.Node == victim);
            Assert.True(entry.Uid != firstLife, $"{node.Name} still sees {victim}'s first life (uid {firstLife})");
        }
        Assert.Contains("swarm_members{status=\"up\"} 4", await _nodes[1]!.MetricsAsync());

        var leaver = _nodes[Leaver]!;
        leaver.Terminate();
        Assert.Equal(0, await leaver.WaitForExitAsync(PhaseTimeout, "graceful stop"));
        var rest = Nodes().Where(n => n != leaver).ToList();
        await WaitUntilAsync("removed after leaving", rest, report => report.Members.Single(m => m.Node == leaver.Name).Status == "absent");
        Assert.Contains("leaving the cluster", leaver.Output(), StringComparison.Ordinal);
    }

    /// <summary>Akka.Cluster lets any member mark another down, whatever the victim's own failure detector sees. Here
    /// the fourth member of the consortium is a Byzantine one (an actor system in this process holding its pinned
    /// certificate) and downs a healthy node. The victim logs an error, starts its actor system again and rejoins as
    /// a new incarnation, without anyone restarting its process. Without the rejoin it would stay out (quarantined
    /// by the others) until an operator restarted it.</summary>
    [Fact]
    public async Task A_node_marked_down_by_another_member_logs_an_error_and_rejoins_by_itself()
    {
        const int Processes = 3;
        const int Attacker = 3;
        const int Target = 2;
        for (var i = 0; i < Processes; i++)
        {
            _nodes[i] = SwarmNodeProcess.Start(_files.Names[i], _files.ConfigPath(i), ClusterFiles.HttpPort(i));
        }
        var settings = SwarmConfiguration.Bind(SwarmConfiguration.Build(_files.ConfigPath(Attacker), []));
        var (source, identity) = ClusterNode.TryLoadIdentity(settings)
            ?? throw new InvalidOperationException("the attacker's identity did not load");
        var consortium = source.Current;
        var attacker = SwarmActorSystem.Create(ClusterRemoting.SystemName, null, ClusterNode.ActorSystemConfig(settings, consortium),
            ClusterRemoting.Ssl(identity, consortium, _ => { }));
        try
        {
            await WaitUntilAsync("converge with the attacker", Nodes(), report => AllUp(report, Size));
            var target = _files.Names[Target];
            var firstLife = (await _nodes[0]!.HealthAsync())!.Members.Single(m => m.Node == target).Uid;

            AkkaCluster.Get(attacker).Down(ClusterRemoting.AddressOf(consortium.Find(target)!, settings.Network.ClusterPortOffset));

            await WaitUntilAsync("the downed node rejoins", Nodes(), report =>
                AllUp(report, Size) && report.Members.Single(m => m.Node == target).Uid != firstLife);
            var output = _nodes[Target]!.Output(200);
            Assert.Contains("removed from the cluster while running", output, StringComparison.Ordinal);
            Assert.Contains("starting again", output, StringComparison.Ordinal);
            Assert.False(_nodes[Target]!.HasExited, output);
        }
        finally
        {
            await attacker.Terminate();
            identity.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node?.Dispose();
        }
        _files.Dispose();
    }

    private static bool AllUp(HealthReport report, int count) =>
        report.Members.Count == count && report.Members.All(m => m.Status == "up");

    private List<SwarmNodeProcess> Nodes() => _nodes.OfType<SwarmNodeProcess>().ToList();

    /// <summary>Polls the survivors until all see <paramref name="victim"/> down (or already removed: absent); returns,
    /// per survivor, the sequence of distinct statuses it reported for the victim.</summary>
    private async Task<Dictionary<string, List<string>>> WatchUntilDownAsync(string victim)
    {
        var survivors = Nodes().Where(n => n.Name != victim).ToList();
        var seen = survivors.ToDictionary(n => n.Name, _ => new List<string>());
        await WaitUntilAsync("unreachable then down", survivors, report =>
        {
            var status = report.Members.Single(m => m.Node == victim).Status;
            var statuses = seen[report.Node];
            if (statuses.Count == 0 || statuses[^1] != status)
            {
                statuses.Add(status);
            }
            return status is "down" or "absent";
        });
        return seen;
    }

    /// <summary>Polls every node's /health until <paramref name="done"/> holds for all of them at once; on timeout
    /// fails naming the phase, each node's last report and its recent output.</summary>
    private static async Task WaitUntilAsync(string phase, IReadOnlyList<SwarmNodeProcess> nodes, Func<HealthReport, bool> done)
    {
        var clock = Stopwatch.StartNew();
        var last = new Dictionary<string, HealthReport?>();
        while (true)
        {
            var allDone = true;
            foreach (var node in nodes)
            {
                Assert.False(node.HasExited, $"phase '{phase}': node {node.Name} exited with code {(node.HasExited ? node.ExitCode : 0)}\n{node.Output()}");
                var report = last[node.Name] = await node.HealthAsync();
                allDone &= report is not null && done(report);
            }
            if (allDone)
            {
                return;
            }
            if (clock.Elapsed > PhaseTimeout)
            {
                Assert.Fail($"phase '{phase}' not reached within {PhaseTimeout.TotalSeconds} s:\n"
                    + string.Join("\n", nodes.Select(n => $"{n.Name}: {Describe(last[n.Name])}"))
                    + "\n" + string.Join("\n", nodes.Select(n => n.Output(15))));
            }
            await Task.Delay(PollInterval);
        }
    }

    private static string Describe(HealthReport? report) =>
        report is null ? "no answer" : string.Join(", ", report.Members.Select(m => $"{m.Node}@{m.Uid}:{m.Status}"));
}
