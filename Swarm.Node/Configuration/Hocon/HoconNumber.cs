using System.Globalization;

namespace Swarm.Node.Configuration.Hocon;

/// <summary>A number, kept with the text it was written as (so <c>1.50</c> prints as written).</summary>
public sealed class HoconNumber : HoconValue
{
    public HoconNumber(string text, HoconOrigin origin)
        : base(origin)
    {
        Text = text;
        Value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        IsIntegral = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole);
        IntegralValue = whole;
    }

    public string Text { get; }

    public double Value { get; }

    /// <summary>True when the text is a whole number that fits a long.</summary>
    public bool IsIntegral { get; }

    /// <summary>The whole value when <see cref="IsIntegral"/>.</summary>
    public long IntegralValue { get; }

    public override HoconValueKind Kind => HoconValueKind.Number;

    public override string ScalarText => Text;

    /// <summary>True when <paramref name="text"/> is written as a number (JSON syntax, leading zeros allowed).</summary>
    public static bool LooksLikeNumber(string text)
    {
        var i = 0;
        if (i < text.Length && text[i] == '-')
        {
            i++;
        }
        var digits = CountDigits(text, ref i);
        if (digits == 0)
        {
            return false;
        }
        if (i < text.Length && text[i] == '.')
        {
            i++;
            if (CountDigits(text, ref i) == 0)
            {
                return false;
            }
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }
            if (CountDigits(text, ref i) == 0)
            {
                return false;
            }
        }
        return i == text.Length;
    }

    private static int CountDigits(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }
        return i - start;
    }
}
