namespace Swarm.Learning.Privacy;

/// <summary>A running sum of terms of either sign, each given by its sign and the log of its magnitude; the sum
/// is kept the same way. Needed for the alternating binomial series of fractional Rényi orders.</summary>
internal struct SignedLogSum
{
    public SignedLogSum()
    {
        Sign = 1;
        LogMagnitude = double.NegativeInfinity;
    }

    /// <summary>+1 or −1 (+1 for zero).</summary>
    public int Sign { get; private set; }

    /// <summary>The log of the sum's magnitude (−∞ for zero).</summary>
    public double LogMagnitude { get; private set; }

    public void Add(int sign, double logMagnitude)
    {
        if (double.IsNegativeInfinity(logMagnitude))
        {
            return;
        }
        if (double.IsNegativeInfinity(LogMagnitude))
        {
            (Sign, LogMagnitude) = (sign, logMagnitude);
            return;
        }
        if (sign == Sign)
        {
            LogMagnitude = LogSpace.Add(LogMagnitude, logMagnitude);
            return;
        }
        // Opposite signs: the larger magnitude keeps its sign and loses the smaller one.
        var (larger, smaller, largerSign) = LogMagnitude >= logMagnitude
            ? (LogMagnitude, logMagnitude, Sign)
            : (logMagnitude, LogMagnitude, sign);
        var ratio = Math.Exp(smaller - larger);
        LogMagnitude = ratio >= 1.0 ? double.NegativeInfinity : larger + LogSpace.Log1P(-ratio);
        Sign = double.IsNegativeInfinity(LogMagnitude) ? 1 : largerSign;
    }
}
