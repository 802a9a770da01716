using System.Text;
using Swarm.Actors.Membership;

namespace Swarm.Tests.Membership;

/// <summary>A seeded in-memory network of <see cref="MembershipState"/>s on fake time: every round each running
/// node ticks and its messages are delivered at once (replies included), except those <see cref="Drops"/> says
/// are lost. Crashed nodes neither tick nor receive. Everything random comes from the one seed.</summary>
internal sealed class SimulatedCluster
{
    public static readonly TimeSpan Round = TimeSpan.FromMilliseconds(100);

    public static readonly MembershipOptions Options = new(
        DownAfter: TimeSpan.FromSeconds(2),
        new FailureDetectorOptions(
            PhiThreshold: 8,
            FirstHeartbeatEstimate: Round,
            MinStdDeviation: TimeSpan.FromMilliseconds(20),
            AcceptableHeartbeatPause: TimeSpan.FromMilliseconds(200)));

    private readonly Random _random;
    private readonly Dictionary<string, MembershipState?> _nodes = new(StringComparer.Ordinal);
    private readonly List<string> _ids;
    private readonly StringBuilder _transcript = new();

    public SimulatedCluster(int size, int seed)
    {
        Seed = seed;
        _random = new Random(seed);
        _ids = Enumerable.Range(0, size).Select(i => $"node-{i}").ToList();
        foreach (var id in _ids)
        {
            Start(id, incarnation: 1);
        }
    }

    public int Seed { get; }

    public TimeSpan Now { get; private set; }

    public IReadOnlyList<string> Ids => _ids;

    /// <summary>(from, to) pairs whose messages are lost; empty by default.</summary>
    public Func<string, string, bool> Drops { get; set; } = (_, _) => false;

    public string Transcript => _transcript.ToString();

    public MembershipState Node(string id) => _nodes[id] ?? throw new InvalidOperationException($"{id} is crashed");

    public IEnumerable<MembershipState> Running => _ids.Select(id => _nodes[id]).OfType<MembershipState>();

    public void Start(string id, long incarnation) =>
        _nodes[id] = new MembershipState(id, incarnation, _ids, Options, new Random(_random.Next()));

    public void Crash(string id) => _nodes[id] = null;

    public void Leave(string id) => Deliver(id, Node(id).Leave(Now));

    public void Step()
    {
        Now += Round;
        foreach (var id in _ids.Where(id => _nodes[id] is not null))
        {
            Deliver(id, _nodes[id]!.Tick(Now));
        }
    }

    /// <summary>Steps until <paramref name="done"/> holds; fails naming the phase, the seed and every node's view.</summary>
    public void RunUntil(string phase, Func<bool> done, TimeSpan limit)
    {
        var end = Now + limit;
        while (!done())
        {
            if (Now >= end)
            {
                Assert.Fail($"phase '{phase}' not reached within {limit.TotalSeconds}s of fake time (seed {Seed}):\n{StatusLines()}");
            }
            Step();
        }
    }

    public string StatusLines() =>
        string.Join("\n", _ids.Select(id => _nodes[id] is { } n ? $"  {id}: {n.View}" : $"  {id}: crashed"));

    /// <summary>True when every running node sees <paramref name="subject"/> in <paramref name="status"/>.</summary>
    public bool AllSee(string subject, MemberStatus status, string? except = null) =>
        Running.Where(n => n.SelfId != except).All(n => n.View.Get(subject)?.Status == status);

    public bool AllUpAndConverged(int expected) =>
        Running.Count() == expected
        && Running.All(n => n.View.Count == expected && n.View.CountIn(MemberStatus.Up) == expected && n.View.Equals(Running.First().View));

    private void Deliver(string from, IReadOnlyList<MembershipOutput> outputs)
    {
        foreach (var output in outputs)
        {
            switch (output)
            {
                case MemberChanged changed:
                    _transcript.Append($"{Now.TotalMilliseconds,6}ms {from}: {changed.Previous?.ToString() ?? "-"} -> {changed.Current}\n");
                    break;
                case SendHeartbeat beat when Receiver(from, beat.To) is { } receiver:
                    receiver.OnHeartbeat(beat.Heartbeat, Now);
                    break;
                case SendGossip gossip when Receiver(from, gossip.To) is { } receiver:
                    Deliver(gossip.To, receiver.OnGossip(gossip.Gossip, Now));
                    break;
            }
        }
    }

    private MembershipState? Receiver(string from, string to) =>
        Drops(from, to) ? null : _nodes.GetValueOrDefault(to);
}
