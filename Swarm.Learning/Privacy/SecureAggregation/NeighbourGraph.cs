using System.Security.Cryptography;

namespace Swarm.Learning.Privacy.SecureAggregation;

/// <summary>Who masks with whom and who holds whose shares. The original protocol uses the complete graph; SecAgg+
/// (Bell et al., "Secure Single-Server Aggregation with (Poly)Logarithmic Overhead", CCS 2020, §3) uses a random
/// k-regular graph, a Harary graph H(k, n) over a random permutation of the sites, so each site does O(k) work and
/// k = O(log n) keeps the privacy and correctness guarantees with high probability. The permutation here comes from
/// the session id, so every site derives the same graph without a message; in Swarm the session id is fixed on the
/// chain after the participants are known, so no site can choose it.</summary>
public sealed class NeighbourGraph
{
    private readonly HashSet<int>[] _neighbours;

    public NeighbourGraph(SecAggParameters parameters)
    {
        var n = parameters.SiteCount;
        _neighbours = [.. Enumerable.Range(0, n).Select(_ => new HashSet<int>())];
        if (parameters.NeighbourDegree is not { } k)
        {
            for (var u = 0; u < n; u++)
            {
                _neighbours[u].UnionWith(Enumerable.Range(0, n).Where(v => v != u));
            }
            return;
        }
        var order = Permutation(parameters.SessionId, n);
        for (var position = 0; position < n; position++)
        {
            for (var step = 1; step <= k / 2; step++)
            {
                var (u, v) = (order[position], order[(position + step) % n]);
                _neighbours[u].Add(v);
                _neighbours[v].Add(u);
            }
        }
    }

    /// <summary>The sites <paramref name="site"/> shares a pairwise mask with.</summary>
    public IReadOnlySet<int> Neighbours(int site) => _neighbours[site];

    /// <summary>The sites that receive shares of <paramref name="site"/>'s secrets: its neighbours and itself, in
    /// increasing order.</summary>
    public IReadOnlyList<int> Holders(int site) => [.. _neighbours[site].Append(site).Order()];

    /// <summary>A Fisher–Yates shuffle driven by AES-CTR keyed with SHA-256(session id).</summary>
    private static int[] Permutation(byte[] sessionId, int n)
    {
        var key = SHA256.HashData([.. "swarm/secagg/graph"u8, .. sessionId]);
        var stream = MaskGenerator.Expand(key, n);
        var order = Enumerable.Range(0, n).ToArray();
        for (var i = n - 1; i > 0; i--)
        {
            var j = (int)(stream[i] % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
