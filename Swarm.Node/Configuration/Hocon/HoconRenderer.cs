using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Swarm.Node.Configuration.Hocon;

/// <summary>Writes a resolved tree as HOCON (with each value's origin as a comment) or as plain JSON. Values whose
/// path <c>redact</c> accepts are written as <c>"&lt;redacted&gt;"</c>.</summary>
public static class HoconRenderer
{
    public const string Redacted = "<redacted>";

    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ToHocon(HoconObject root, Func<HoconPath, bool>? redact = null, bool originComments = true)
    {
        var text = new StringBuilder();
        WriteFields(text, root, HoconPath.Root, 0, redact ?? (_ => false), originComments);
        return text.ToString();
    }

    private static void WriteFields(StringBuilder text, HoconObject obj, HoconPath at, int depth, Func<HoconPath, bool> redact, bool comments)
    {
        var indent = new string(' ', depth * 2);
        foreach (var (key, value) in obj.Fields)
        {
            var path = at.Append(key);
            text.Append(indent).Append(QuoteKey(key));
            if (value is HoconObject child && !Hidden(value, path, redact))
            {
                text.Append(" {\n");
                WriteFields(text, child, path, depth + 1, redact, comments);
                text.Append(indent).Append("}\n");
                continue;
            }
            text.Append(" = ").Append(Hidden(value, path, redact) ? Quote(Redacted) : Inline(value));
            if (comments && value.Origin.Source.Length > 0)
            {
                text.Append("  # ").Append(value.Origin);
            }
            text.Append('\n');
        }
    }

    /// <summary>A redacted path hides its value unless it is empty: whether a secret was given is not a secret.</summary>
    private static bool Hidden(HoconValue value, HoconPath path, Func<HoconPath, bool> redact) =>
        redact(path) && value is not HoconString { Value.Length: 0 } and not HoconNull;

    private static string Inline(HoconValue value) => value switch
    {
        HoconString s => Quote(s.Value),
        HoconArray a => "[" + string.Join(", ", a.Items.Select(Inline)) + "]",
        HoconObject o => "{ " + string.Join(", ", o.Fields.Select(f => $"{QuoteKey(f.Key)} = {Inline(f.Value)}")) + " }",
        _ => value.ScalarText ?? "null",
    };

    private static string QuoteKey(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? key : Quote(key);

    private static string Quote(string text) => JsonSerializer.Serialize(text, JsonSerializerOptionsRelaxed);

    private static readonly JsonSerializerOptions JsonSerializerOptionsRelaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ToJson(HoconObject root, Func<HoconPath, bool>? redact = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, JsonOptions))
        {
            WriteJson(writer, root, HoconPath.Root, redact ?? (_ => false));
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteJson(Utf8JsonWriter writer, HoconValue value, HoconPath at, Func<HoconPath, bool> redact)
    {
        if (!at.IsRoot && Hidden(value, at, redact))
        {
            writer.WriteStringValue(Redacted);
            return;
        }
        switch (value)
        {
            case HoconObject obj:
                writer.WriteStartObject();
                foreach (var (key, child) in obj.Fields)
                {
                    writer.WritePropertyName(key);
                    WriteJson(writer, child, at.Append(key), redact);
                }
                writer.WriteEndObject();
                break;
            case HoconArray array:
                writer.WriteStartArray();
                for (var i = 0; i < array.Items.Count; i++)
                {
                    WriteJson(writer, array.Items[i], at.Append(i.ToString(CultureInfo.InvariantCulture)), redact);
                }
                writer.WriteEndArray();
                break;
            case HoconNumber { IsIntegral: true } whole:
                writer.WriteNumberValue(whole.IntegralValue);
                break;
            case HoconNumber number when double.IsFinite(number.Value):
                // Keep the number as written ("8.0" stays 8.0) when it is already valid JSON.
                if (IsJsonNumber(number.Text))
                {
                    writer.WriteRawValue(number.Text);
                }
                else
                {
                    writer.WriteNumberValue(number.Value);
                }
                break;
            case HoconBoolean boolean:
                writer.WriteBooleanValue(boolean.Value);
                break;
            case HoconNull:
                writer.WriteNullValue();
                break;
            default:
                // Strings, and numbers too large for a double, which JSON cannot hold as numbers.
                writer.WriteStringValue(value.ScalarText);
                break;
        }
    }

    private static bool IsJsonNumber(string text)
    {
        var digits = text.StartsWith('-') ? text[1..] : text;
        return digits.Length > 0 && !(digits.Length > 1 && digits[0] == '0' && char.IsAsciiDigit(digits[1]));
    }
}
