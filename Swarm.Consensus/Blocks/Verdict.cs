namespace Swarm.Consensus.Blocks;

/// <summary>The outcome of a check on outside input: accepted, or rejected with a reason naming what is wrong.</summary>
public readonly record struct Verdict(bool Ok, string Reason)
{
    public static Verdict Accept => new(true, "");

    public static Verdict Reject(string reason) => new(false, reason);
}
