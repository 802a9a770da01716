namespace Swarm.Node.Configuration.Hocon;

/// <summary>Splits "1.5 GiB" into its number ("1.5") and unit ("GiB").</summary>
internal static class HoconUnits
{
    public static bool TrySplit(string text, out string number, out string unit)
    {
        var trimmed = text.Trim();
        var end = 0;
        while (end < trimmed.Length && (char.IsAsciiDigit(trimmed[end]) || trimmed[end] is '.' or '-' or '+' or 'e' or 'E'))
        {
            // 'e' belongs to an exponent only when a digit follows ("1e3"); otherwise it starts a unit.
            if (trimmed[end] is 'e' or 'E' && !(end + 1 < trimmed.Length && (char.IsAsciiDigit(trimmed[end + 1]) || trimmed[end + 1] is '-' or '+')))
            {
                break;
            }
            end++;
        }
        number = trimmed[..end];
        unit = trimmed[end..].Trim();
        return number.Length > 0 && HoconNumber.LooksLikeNumber(number);
    }
}
