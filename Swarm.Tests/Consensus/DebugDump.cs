using Swarm.Tests.Consensus.Simulation;

namespace Swarm.Tests.Consensus;

public sealed class DebugDump
{
    [Fact]
    public void Dump()
    {
        var lines = new List<string>();
        foreach (var s in ScenarioCatalog.All)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            using var sim = ScenarioCatalog.Create(s, 20261122);
            var r = sim.Run();
            lines.Add($"{sw.ElapsedMilliseconds} ms\n" + r.Report);
        }
        File.WriteAllLines("/tmp/pbft-dump.txt", lines);
    }
}
