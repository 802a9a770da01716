namespace Swarm.Consensus;

/// <summary>Assertions of the core's own invariants. A failure is a bug in this code, never a peer's fault, so
/// it stops the component loudly (TigerBeetle's TIGER_STYLE: assertions are a force multiplier). Byzantine input
/// never reaches these: it is rejected as a value first.</summary>
public static class Invariant
{
    public static void Assert(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvariantViolationException(what);
        }
    }
}
