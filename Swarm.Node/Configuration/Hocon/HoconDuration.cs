using System.Globalization;

namespace Swarm.Node.Configuration.Hocon;

/// <summary>Durations written as a number and a unit: <c>500ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>, <c>1d</c>,
/// <c>1.5 hours</c>. A bare number is milliseconds (HOCON spec, "Duration format").</summary>
public static class HoconDuration
{
    /// <summary>How a duration is described in error messages.</summary>
    public const string Expected = "a duration such as 500ms, 5s, 2m, 1h or 1d";

    private static readonly Dictionary<string, double> UnitMilliseconds = new(StringComparer.Ordinal)
    {
        ["ns"] = 1e-6, ["nanosecond"] = 1e-6, ["nanoseconds"] = 1e-6,
        ["us"] = 1e-3, ["microsecond"] = 1e-3, ["microseconds"] = 1e-3,
        ["ms"] = 1, ["millis"] = 1, ["millisecond"] = 1, ["milliseconds"] = 1,
        ["s"] = 1_000, ["second"] = 1_000, ["seconds"] = 1_000,
        ["m"] = 60_000, ["minute"] = 60_000, ["minutes"] = 60_000,
        ["h"] = 3_600_000, ["hour"] = 3_600_000, ["hours"] = 3_600_000,
        ["d"] = 86_400_000, ["day"] = 86_400_000, ["days"] = 86_400_000,
    };

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        if (!HoconUnits.TrySplit(text, out var number, out var unit))
        {
            return false;
        }
        var factor = unit.Length == 0 ? 1 : UnitMilliseconds.GetValueOrDefault(unit, double.NaN);
        if (double.IsNaN(factor) || !double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }
        var ms = value * factor;
        if (double.IsInfinity(ms) || Math.Abs(ms) > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }
        duration = TimeSpan.FromTicks((long)Math.Round(ms * TimeSpan.TicksPerMillisecond));
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var d) ? d : throw new FormatException($"expected {Expected}, got \"{text}\"");

    /// <summary>The shortest exact way to write <paramref name="duration"/> with one unit.</summary>
    public static string Format(TimeSpan duration)
    {
        var ms = duration.TotalMilliseconds;
        foreach (var (unit, size) in new[] { ("d", 86_400_000d), ("h", 3_600_000d), ("m", 60_000d), ("s", 1_000d), ("ms", 1d) })
        {
            if (ms != 0 && ms % size == 0)
            {
                return (ms / size).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }
}
