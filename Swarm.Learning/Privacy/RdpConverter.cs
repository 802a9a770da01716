namespace Swarm.Learning.Privacy;

/// <summary>Converts an RDP curve (ε at each order α) into an (ε, δ)-DP guarantee.</summary>
public static class RdpConverter
{
    /// <summary>The smallest ε over the orders (at least 0), and the order that gave it. Orders whose RDP is
    /// infinite or not a number are skipped; if none is usable, ε is +∞. An all-zero curve (no steps) is ε = 0.</summary>
    public static EpsilonResult ToEpsilon(
        IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double delta, PrivacyConversion conversion)
    {
        if (orders.Count != rdp.Count)
        {
            throw new ArgumentException($"{orders.Count} orders but {rdp.Count} RDP values", nameof(rdp));
        }
        if (!(delta > 0.0 && delta < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1)");
        }
        if (rdp.All(value => value == 0.0))
        {
            // Nothing was released (no steps yet): ε = 0 exactly, which no finite order's bound reaches.
            return new EpsilonResult(0.0, delta, orders[0]);
        }
        var best = new EpsilonResult(double.PositiveInfinity, delta, double.NaN);
        for (var i = 0; i < orders.Count; i++)
        {
            var epsilon = Convert(orders[i], rdp[i], delta, conversion);
            if (double.IsFinite(epsilon) && epsilon < best.Epsilon)
            {
                best = new EpsilonResult(epsilon, delta, orders[i]);
            }
        }
        return best with { Epsilon = Math.Max(best.Epsilon, 0.0) };
    }

    /// <summary>ε at one order α &gt; 1 for total RDP <paramref name="rdp"/>.</summary>
    public static double Convert(double order, double rdp, double delta, PrivacyConversion conversion)
    {
        if (!(order > 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, "the Rényi order must be greater than 1");
        }
        return conversion switch
        {
            PrivacyConversion.Classic => rdp + (Math.Log(1.0 / delta) / (order - 1.0)),
            PrivacyConversion.Tight => rdp - ((Math.Log(delta) + Math.Log(order)) / (order - 1.0))
                + Math.Log((order - 1.0) / order),
            _ => throw new ArgumentOutOfRangeException(nameof(conversion), conversion, "unknown conversion"),
        };
    }
}
