namespace Swarm.Learning.Privacy.SecureAggregation;

/// <summary>What every participant of one secure-aggregation session agrees on before it starts (in Swarm: fixed
/// by the task's chain). Sites are numbered 0 … SiteCount − 1.</summary>
/// <param name="SessionId">Binds every derived key to this session (task, round); at least 16 bytes.</param>
/// <param name="SiteCount">n, the sites that may take part.</param>
/// <param name="Threshold">t: shares needed to rebuild a secret; the sum is recovered only if at least t sites
/// survive, and fewer than t colluding sites learn nothing (Bonawitz et al. §6.2: t &gt; n/2 against an
/// honest-but-curious majority, t &gt; 2n/3 once the coordinator may lie, §6.3). With a sparse graph the threshold
/// counts holders within one neighbourhood (Bell et al., CCS 2020).</param>
/// <param name="VectorLength">m, the number of parameters summed.</param>
/// <param name="NeighbourDegree">k for the SecAgg+ graph (even, 2 ≤ k &lt; n − 1), or null for the complete graph
/// of the original protocol.</param>
/// <param name="Codec">How floats become ring elements.</param>
public sealed record SecAggParameters(
    byte[] SessionId, int SiteCount, int Threshold, int VectorLength, int? NeighbourDegree, FixedPointCodec Codec)
{
    /// <summary>Sites bounded so that share messages (one share pair per holder) stay small.</summary>
    public const int SitesMax = 1024;

    /// <summary>One message must fit in memory several times over on every site.</summary>
    public const int VectorLengthMax = 1 << 28;

    /// <summary>The problem with these parameters, or null when they are usable.</summary>
    public string? Problem() => this switch
    {
        { SessionId.Length: < 16 } => "the session id must be at least 16 bytes",
        { SiteCount: < 2 or > SitesMax } => $"the site count must be in [2, {SitesMax}]",
        { VectorLength: < 1 or > VectorLengthMax } => $"the vector length must be in [1, {VectorLengthMax}]",
        { NeighbourDegree: { } k } when k < 2 || k % 2 != 0 || k >= SiteCount - 1 =>
            $"the neighbour degree must be even and in [2, {SiteCount - 2}], or absent for the complete graph",
        _ when Threshold < 2 || Threshold > NeighbourhoodSize => $"the threshold must be in [2, {NeighbourhoodSize}]",
        _ when SiteCount > Codec.SitesMax => $"{SiteCount} sites could overflow the fixed-point sum (at most {Codec.SitesMax})",
        _ => null,
    };

    /// <summary>How many sites hold shares of one site's secrets: its neighbours and itself.</summary>
    public int NeighbourhoodSize => (NeighbourDegree ?? (SiteCount - 1)) + 1;
}
