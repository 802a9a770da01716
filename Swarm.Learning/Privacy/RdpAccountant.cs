namespace Swarm.Learning.Privacy;

/// <summary>Tracks the privacy spent by a sequence of sampled-Gaussian steps. RDP composes additively at each
/// order (Mironov 2017, Proposition 1), so the accountant keeps one running total per order and converts to
/// (ε, δ) on demand, taking the best order.</summary>
public sealed class RdpAccountant
{
    /// <summary>How many distinct (q, σ) curves the accountant remembers before starting its cache afresh.</summary>
    public const int CachedCurvesMax = 64;

    private readonly double[] _orders;
    private readonly double[] _rdp;

    /// <summary>Per-step RDP curves already computed; training repeats the same (q, σ) for every step, and the
    /// fractional-order series costs thousands of terms when q is small.</summary>
    private readonly Dictionary<(double SamplingRate, double NoiseMultiplier), double[]> _perStep = [];

    public RdpAccountant(IReadOnlyList<double>? orders = null)
    {
        _orders = [.. orders ?? RdpOrders.Default];
        if (_orders.Length == 0)
        {
            throw new ArgumentException("at least one Rényi order is needed", nameof(orders));
        }
        _rdp = new double[_orders.Length];
    }

    /// <summary>The orders tracked.</summary>
    public IReadOnlyList<double> Orders => _orders;

    /// <summary>The total RDP so far at each order.</summary>
    public IReadOnlyList<double> Rdp => _rdp;

    /// <summary>The ε for the given parameters in one call: <paramref name="steps"/> steps of sampling rate
    /// <paramref name="samplingRate"/> and noise multiplier <paramref name="noiseMultiplier"/>.</summary>
    public static EpsilonResult ComputeEpsilon(
        double samplingRate, double noiseMultiplier, long steps, double delta,
        PrivacyConversion conversion = PrivacyConversion.Classic, IReadOnlyList<double>? orders = null)
    {
        var accountant = new RdpAccountant(orders);
        accountant.Compose(samplingRate, noiseMultiplier, steps);
        return accountant.GetEpsilon(delta, conversion);
    }

    /// <summary>Records <paramref name="steps"/> steps of the sampled Gaussian mechanism.</summary>
    public void Compose(double samplingRate, double noiseMultiplier, long steps = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        if (steps == 0)
        {
            // Zero steps spend nothing, even at orders whose per-step RDP is +∞ (0·∞ would be NaN).
            return;
        }
        var perStep = PerStep(samplingRate, noiseMultiplier);
        for (var i = 0; i < _orders.Length; i++)
        {
            _rdp[i] += steps * perStep[i];
        }
    }

    private double[] PerStep(double samplingRate, double noiseMultiplier)
    {
        if (!_perStep.TryGetValue((samplingRate, noiseMultiplier), out var curve))
        {
            if (_perStep.Count >= CachedCurvesMax)
            {
                _perStep.Clear();
            }
            curve = [.. _orders.Select(order => SampledGaussianRdp.Compute(samplingRate, noiseMultiplier, order))];
            _perStep[(samplingRate, noiseMultiplier)] = curve;
        }
        return curve;
    }

    /// <summary>The smallest ε over the tracked orders for which the steps so far are (ε, δ)-DP.</summary>
    public EpsilonResult GetEpsilon(double delta, PrivacyConversion conversion = PrivacyConversion.Classic) =>
        RdpConverter.ToEpsilon(_orders, _rdp, delta, conversion);
}
