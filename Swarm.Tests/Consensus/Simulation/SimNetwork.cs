namespace Swarm.Tests.Consensus.Simulation;

/// <summary>The simulated network's fault language: drop with probability p, delay uniformly in a range (which
/// also reorders), duplicate with probability p, partitions into sets, and clogged links (FoundationDB's
/// swizzle-clogging: messages on a clogged link wait until it is unclogged).</summary>
public sealed class SimNetwork(SimRandom random)
{
    private readonly HashSet<(int From, int To)> _clogged = [];
    private int[]? _group;

    public double DropProbability { get; set; }
    public double DuplicateProbability { get; set; }
    public long DelayMinMs { get; set; } = 1;
    public long DelayMaxMs { get; set; } = 3;

    public void Partition(params int[][] sets)
    {
        var size = sets.Sum(s => s.Length);
        _group = new int[size];
        for (var g = 0; g < sets.Length; g++)
        {
            foreach (var node in sets[g])
            {
                _group[node] = g;
            }
        }
    }

    public void HealPartition() => _group = null;

    public bool Partitioned(int a, int b) => _group is not null && a < _group.Length && b < _group.Length && _group[a] != _group[b];

    public void Clog(int from, int to) => _clogged.Add((from, to));

    public bool Unclog(int from, int to) => _clogged.Remove((from, to));

    public bool IsClogged(int from, int to) => _clogged.Contains((from, to));

    public IReadOnlyList<(int From, int To)> CloggedLinks => _clogged.OrderBy(l => l.From).ThenBy(l => l.To).ToList();

    /// <summary>Repairs everything but clogs (unclogging releases held messages, which the simulation does).</summary>
    public void Repair()
    {
        DropProbability = 0;
        DuplicateProbability = 0;
        DelayMinMs = 1;
        DelayMaxMs = 3;
        _group = null;
    }

    /// <summary>Messages a partition stopped (a scenario checks that its fault took effect).</summary>
    public long PartitionBlocked { get; private set; }

    /// <summary>Messages lost to <see cref="DropProbability"/>.</summary>
    public long Dropped { get; private set; }

    /// <summary>Messages delivered twice.</summary>
    public long Duplicated { get; private set; }

    /// <summary>Copies delayed beyond the healthy network's 3 ms, which may overtake later messages.</summary>
    public long Late { get; private set; }

    /// <summary>The delays after which copies of one message arrive; empty when it is lost.</summary>
    public IReadOnlyList<long> Fate(int from, int to)
    {
        if (Partitioned(from, to))
        {
            PartitionBlocked++;
            return [];
        }
        if (random.Chance(DropProbability))
        {
            Dropped++;
            return [];
        }
        var first = random.Range(DelayMinMs, DelayMaxMs);
        IReadOnlyList<long> copies = random.Chance(DuplicateProbability) ? [first, random.Range(DelayMinMs, DelayMaxMs)] : [first];
        Duplicated += copies.Count - 1;
        Late += copies.Count(delay => delay > 3);
        return copies;
    }

    public long Delay() => random.Range(DelayMinMs, DelayMaxMs);
}
