using System.Globalization;
using System.Text;

namespace Swarm.Node.Configuration.Hocon;

/// <summary>Splits HOCON text into tokens (HOCON spec: "Unquoted strings", "Comments", "Multi-line strings").</summary>
internal sealed class HoconTokenizer
{
    /// <summary>Characters that cannot appear in unquoted text (HOCON spec, "Unquoted strings").</summary>
    private const string Forbidden = "$\"{}[]:=,+#`^?!@*&\\";

    private readonly string _text;
    private readonly string _source;
    private readonly List<HoconToken> _tokens = [];
    private int _pos;
    private int _line = 1;

    private HoconTokenizer(string text, string source)
    {
        _text = text;
        _source = source;
    }

    public static IReadOnlyList<HoconToken> Tokenize(string text, string source)
    {
        var tokenizer = new HoconTokenizer(text, source);
        while (tokenizer._pos < text.Length)
        {
            tokenizer.ReadToken();
        }
        tokenizer.Add(HoconTokenKind.End, "", tokenizer.Here);
        return tokenizer._tokens;
    }

    private HoconOrigin Here => new(_source, _line);

    private void Add(HoconTokenKind kind, string text, HoconOrigin origin) => _tokens.Add(new HoconToken(kind, text, origin));

    private bool At(string s) => string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;

    private static bool IsSpace(char c) => c != '\n' && (char.IsWhiteSpace(c) || c == '\uFEFF');

    private void ReadToken()
    {
        var c = _text[_pos];
        if (c == '\n')
        {
            Add(HoconTokenKind.Newline, "\n", Here);
            _pos++;
            _line++;
        }
        else if (c == '#' || At("//"))
        {
            while (_pos < _text.Length && _text[_pos] != '\n')
            {
                _pos++;
            }
        }
        else if (IsSpace(c))
        {
            ReadWhitespace();
        }
        else if (!ReadPunctuation(c))
        {
            ReadUnquoted();
        }
    }

    private bool ReadPunctuation(char c)
    {
        var kind = c switch
        {
            '{' => HoconTokenKind.LeftBrace,
            '}' => HoconTokenKind.RightBrace,
            '[' => HoconTokenKind.LeftBracket,
            ']' => HoconTokenKind.RightBracket,
            '=' or ':' => HoconTokenKind.Separator,
            ',' => HoconTokenKind.Comma,
            _ => (HoconTokenKind?)null,
        };
        if (kind is { } k)
        {
            Add(k, c.ToString(), Here);
            _pos++;
            return true;
        }
        switch (c)
        {
            case '+' when At("+="):
                Add(HoconTokenKind.PlusEquals, "+=", Here);
                _pos += 2;
                return true;
            case '"':
                ReadQuoted();
                return true;
            case '$':
                ReadSubstitution();
                return true;
            default:
                if (Forbidden.Contains(c, StringComparison.Ordinal))
                {
                    throw new HoconException(Here, null, $"unexpected character '{c}' (quote the string if it is part of a value)");
                }
                return false;
        }
    }

    private void ReadWhitespace()
    {
        var start = _pos;
        while (_pos < _text.Length && IsSpace(_text[_pos]))
        {
            _pos++;
        }
        Add(HoconTokenKind.Whitespace, _text[start.._pos], Here);
    }

    private void ReadUnquoted()
    {
        var start = _pos;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\n' || IsSpace(c) || Forbidden.Contains(c, StringComparison.Ordinal) || At("//"))
            {
                break;
            }
            _pos++;
        }
        Add(HoconTokenKind.Unquoted, _text[start.._pos], Here);
    }

    private void ReadQuoted()
    {
        if (At("\"\"\""))
        {
            ReadTripleQuoted();
            return;
        }
        var origin = Here;
        var value = new StringBuilder();
        _pos++;
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] == '\n')
            {
                throw new HoconException(origin, null, "unterminated string: a quoted string must end on its line (use \"\"\" for text over several lines)");
            }
            var c = _text[_pos++];
            if (c == '"')
            {
                break;
            }
            value.Append(c == '\\' ? ReadEscape(origin) : c.ToString());
        }
        Add(HoconTokenKind.Quoted, value.ToString(), origin);
    }

    private string ReadEscape(HoconOrigin origin)
    {
        if (_pos >= _text.Length)
        {
            throw new HoconException(origin, null, "unterminated escape sequence at the end of the text");
        }
        var c = _text[_pos++];
        switch (c)
        {
            case '"': return "\"";
            case '\\': return "\\";
            case '/': return "/";
            case 'b': return "\b";
            case 'f': return "\f";
            case 'n': return "\n";
            case 'r': return "\r";
            case 't': return "\t";
            case 'u':
                if (_pos + 4 <= _text.Length
                    && int.TryParse(_text.AsSpan(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                {
                    _pos += 4;
                    return ((char)code).ToString();
                }
                throw new HoconException(Here, null, "'\\u' must be followed by four hexadecimal digits");
            default:
                throw new HoconException(Here, null, $"unknown escape sequence '\\{c}' (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
    }

    /// <summary>Raw text between <c>"""</c> pairs, no escapes; quotes just before the closing three belong to the
    /// string (HOCON spec, "Multi-line strings").</summary>
    private void ReadTripleQuoted()
    {
        var origin = Here;
        _pos += 3;
        var start = _pos;
        var end = _text.IndexOf("\"\"\"", _pos, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new HoconException(origin, null, "unterminated \"\"\" string");
        }
        while (end + 3 < _text.Length && _text[end + 3] == '"')
        {
            end++;
        }
        var value = _text[start..end];
        _line += value.Count(ch => ch == '\n');
        _pos = end + 3;
        Add(HoconTokenKind.Quoted, value, origin);
    }

    private void ReadSubstitution()
    {
        var origin = Here;
        if (!At("${"))
        {
            throw new HoconException(origin, null, "'$' must start a substitution such as ${path} (quote the string if the '$' is part of a value)");
        }
        _pos += 2;
        var optional = _pos < _text.Length && _text[_pos] == '?';
        if (optional)
        {
            _pos++;
        }
        var start = _pos;
        var inQuote = false;
        while (_pos < _text.Length && (inQuote || _text[_pos] != '}'))
        {
            if (_text[_pos] == '\n')
            {
                break;
            }
            inQuote ^= _text[_pos] == '"';
            _pos++;
        }
        if (_pos >= _text.Length || _text[_pos] != '}')
        {
            throw new HoconException(origin, null, "unterminated substitution: '${' needs a closing '}' on the same line");
        }
        var expression = _text[start.._pos];
        _pos++;
        if (string.IsNullOrWhiteSpace(expression))
        {
            throw new HoconException(origin, null, "empty substitution '${}': name a path such as ${node.data-dir}");
        }
        var path = HoconPath.Parse(expression, origin);
        _tokens.Add(new HoconToken(HoconTokenKind.Substitution, expression, origin, path, optional));
    }
}
