using System.Globalization;

namespace Swarm.Learning.Data.Numpy;

/// <summary>Parses the Python dict literal that a <c>.npy</c> header holds. NumPy writes it with
/// <c>repr</c>, so only string keys, string/bool values and tuples of integers appear for the arrays we
/// accept; anything else (a structured dtype list, say) is reported as unsupported.</summary>
internal sealed class NpyHeaderParser
{
    private readonly string _member;
    private readonly string _text;
    private int _position;

    private NpyHeaderParser(string member, string text)
    {
        _member = member;
        _text = text;
    }

    public static NpyHeader Parse(string member, string text)
    {
        var parser = new NpyHeaderParser(member, text);
        var entries = parser.ParseDict();
        return parser.ToHeader(entries);
    }

    private NpyHeader ToHeader(Dictionary<string, object> entries)
    {
        var descr = Require(entries, "descr");
        var fortran = Require(entries, "fortran_order");
        var shape = Require(entries, "shape");
        if (descr is not string descriptor)
        {
            throw Fail("unsupported dtype: structured or non-string 'descr' (supported: |u1, <f4, <i8, <f8)");
        }
        if (fortran is not bool fortranOrder)
        {
            throw Fail("'fortran_order' is not True or False");
        }
        if (shape is not long[] dimensions)
        {
            throw Fail("'shape' is not a tuple of integers");
        }
        return new NpyHeader(descriptor, fortranOrder, dimensions);
    }

    private object Require(Dictionary<string, object> entries, string key) =>
        entries.TryGetValue(key, out var value) ? value : throw Fail($"header has no '{key}' key");

    private Dictionary<string, object> ParseDict()
    {
        var entries = new Dictionary<string, object>(StringComparer.Ordinal);
        Expect('{');
        while (true)
        {
            SkipSpace();
            if (TryConsume('}'))
            {
                return entries;
            }
            var key = ParseString();
            Expect(':');
            entries[key] = ParseValue();
            SkipSpace();
            if (!TryConsume(','))
            {
                Expect('}');
                return entries;
            }
        }
    }

    private object ParseValue()
    {
        SkipSpace();
        var c = Peek();
        if (c is '\'' or '"')
        {
            return ParseString();
        }
        if (c == '(')
        {
            return ParseTuple();
        }
        if (Match("True"))
        {
            return true;
        }
        if (Match("False"))
        {
            return false;
        }
        // Lists and nested dicts belong to structured dtypes: skip them as an opaque value.
        return SkipBracketed();
    }

    private long[] ParseTuple()
    {
        Expect('(');
        var dimensions = new List<long>();
        while (true)
        {
            SkipSpace();
            if (TryConsume(')'))
            {
                return [.. dimensions];
            }
            dimensions.Add(ParseInteger());
            SkipSpace();
            if (!TryConsume(','))
            {
                Expect(')');
                return [.. dimensions];
            }
        }
    }

    private long ParseInteger()
    {
        var start = _position;
        while (_position < _text.Length && (char.IsAsciiDigit(_text[_position]) || _text[_position] == 'L'))
        {
            _position++;
        }
        var digits = _text[start.._position].TrimEnd('L');
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw Fail($"bad shape dimension at header offset {start}");
        }
        return value;
    }

    private string ParseString()
    {
        SkipSpace();
        var quote = Peek();
        if (quote is not ('\'' or '"'))
        {
            throw Fail($"expected a quoted string at header offset {_position}");
        }
        _position++;
        var end = _text.IndexOf(quote, _position);
        if (end < 0)
        {
            throw Fail("unterminated string in header");
        }
        var value = _text[_position..end];
        _position = end + 1;
        return value;
    }

    private object SkipBracketed()
    {
        var open = Peek();
        if (open is not ('[' or '{'))
        {
            throw Fail($"unexpected '{open}' at header offset {_position}");
        }
        var depth = 0;
        do
        {
            var c = Peek();
            depth += c is '[' or '{' or '(' ? 1 : c is ']' or '}' or ')' ? -1 : 0;
            _position++;
        }
        while (depth > 0);
        return new object();
    }

    private void SkipSpace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private char Peek() =>
        _position < _text.Length ? _text[_position] : throw Fail("header ends in the middle of the dictionary");

    private bool Match(string word)
    {
        if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
        {
            return false;
        }
        _position += word.Length;
        return true;
    }

    private bool TryConsume(char c)
    {
        if (_position < _text.Length && _text[_position] == c)
        {
            _position++;
            return true;
        }
        return false;
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (!TryConsume(c))
        {
            throw Fail($"expected '{c}' at header offset {_position}");
        }
    }

    private NumpyFormatException Fail(string problem) => new(_member, $"bad header: {problem}");
}
