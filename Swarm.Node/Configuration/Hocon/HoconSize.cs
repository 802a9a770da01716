using System.Globalization;

namespace Swarm.Node.Configuration.Hocon;

/// <summary>Sizes in bytes written as a number and a unit: <c>512kB</c> (10^3), <c>64MiB</c> or <c>64M</c> (2^20),
/// <c>1GiB</c>, <c>100B</c>; a bare number is bytes (HOCON spec, "Size in bytes format").</summary>
public static class HoconSize
{
    /// <summary>How a size is described in error messages.</summary>
    public const string Expected = "a size such as 512kB, 64MiB, 1GiB or a number of bytes";

    private static readonly Dictionary<string, double> UnitBytes = BuildUnits();

    private static Dictionary<string, double> BuildUnits()
    {
        var units = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["B"] = 1, ["b"] = 1, ["byte"] = 1, ["bytes"] = 1,
        };
        string[] decimalNames = ["kilo", "mega", "giga", "tera"];
        string[] binaryNames = ["kibi", "mebi", "gibi", "tebi"];
        string[] letters = ["k", "M", "G", "T"];
        for (var i = 0; i < letters.Length; i++)
        {
            var power = i + 1;
            var dec = Math.Pow(1000, power);
            var bin = Math.Pow(1024, power);
            var letter = letters[i];
            var upper = letter.ToUpperInvariant();
            units[letter + "B"] = dec;
            units[upper + "B"] = dec;
            units[decimalNames[i] + "byte"] = dec;
            units[decimalNames[i] + "bytes"] = dec;
            units[upper] = bin;
            units[upper.ToLowerInvariant()] = bin;
            units[upper + "i"] = bin;
            units[upper + "iB"] = bin;
            units[binaryNames[i] + "byte"] = bin;
            units[binaryNames[i] + "bytes"] = bin;
        }
        return units;
    }

    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        if (!HoconUnits.TrySplit(text, out var number, out var unit))
        {
            return false;
        }
        var factor = unit.Length == 0 ? 1 : UnitBytes.GetValueOrDefault(unit, double.NaN);
        if (double.IsNaN(factor) || !double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }
        var total = Math.Round(value * factor);
        if (total < long.MinValue || total >= long.MaxValue)
        {
            return false;
        }
        bytes = (long)total;
        return true;
    }

    public static long Parse(string text) =>
        TryParse(text, out var b) ? b : throw new FormatException($"expected {Expected}, got \"{text}\"");

    /// <summary>The shortest exact way to write <paramref name="bytes"/> with a binary unit.</summary>
    public static string Format(long bytes)
    {
        foreach (var (unit, size) in new[] { ("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10) })
        {
            if (bytes != 0 && bytes % size == 0)
            {
                return (bytes / size).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture) + "B";
    }
}
