using System.Text;

namespace Swarm.Node.Configuration.Hocon;

/// <summary>Reads the tokens of one HOCON text into a syntax tree (HOCON spec: "Syntax"). Fields are separated by
/// commas or line breaks; a key is followed by '=', ':', '+=' or directly by '{', and line breaks (with comments) may
/// stand between a key, its separator and its value.</summary>
internal sealed class HoconParser
{
    /// <summary>Deepest nesting of objects and arrays accepted: a bound, so a hostile file cannot overflow the stack.</summary>
    private const int DepthMax = 128;

    private readonly IReadOnlyList<HoconToken> _tokens;
    private int _pos;
    private int _depth;

    private HoconParser(IReadOnlyList<HoconToken> tokens)
    {
        _tokens = tokens;
    }

    public static SyntaxObject Parse(string text, string source)
    {
        var parser = new HoconParser(HoconTokenizer.Tokenize(text, source));
        return parser.ParseRoot();
    }

    private HoconToken Peek => _tokens[_pos];

    private HoconToken Next() => _tokens[_pos++];

    private void SkipWhitespace()
    {
        while (Peek.Kind == HoconTokenKind.Whitespace)
        {
            _pos++;
        }
    }

    private void SkipBlank()
    {
        while (Peek.Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline)
        {
            _pos++;
        }
    }

    /// <summary>Skips blanks and, where the next thing after them is of a kind that <paramref name="wanted"/>
    /// accepts, the line breaks and comments in between too. The HOCON spec ("Whitespace") counts a newline as
    /// whitespace and gives it a meaning only where it ends a field or a value, and the reference parser (lightbend
    /// config) skips newlines after a key and after its separator. Otherwise this stops at the line break, so that
    /// an error points at the line where something is missing, not at the next field.</summary>
    private void SkipBlankBefore(Func<HoconTokenKind, bool> wanted)
    {
        SkipWhitespace();
        var ahead = NextNonBlank(_pos);
        if (wanted(_tokens[ahead].Kind))
        {
            _pos = ahead;
        }
    }

    /// <summary>The index of the first token at or after <paramref name="from"/> that is not blank or a line break
    /// (the End token at the latest).</summary>
    private int NextNonBlank(int from)
    {
        while (_tokens[from].Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline)
        {
            from++;
        }
        return from;
    }

    private static bool FollowsKey(HoconTokenKind kind) =>
        kind is HoconTokenKind.Separator or HoconTokenKind.PlusEquals or HoconTokenKind.LeftBrace;

    private static bool StartsValue(HoconTokenKind kind) =>
        kind is HoconTokenKind.Unquoted or HoconTokenKind.Quoted or HoconTokenKind.Substitution
            or HoconTokenKind.LeftBrace or HoconTokenKind.LeftBracket;

    private SyntaxObject ParseRoot()
    {
        SkipBlank();
        var first = Peek;
        if (first.Kind == HoconTokenKind.LeftBracket)
        {
            throw new HoconException(first.Origin, null, "a configuration file must hold an object, not an array");
        }
        var braced = first.Kind == HoconTokenKind.LeftBrace;
        if (braced)
        {
            _pos++;
        }
        var root = ParseBody(first.Origin, braced, HoconPath.Root);
        SkipBlank();
        if (Peek.Kind != HoconTokenKind.End)
        {
            throw new HoconException(Peek.Origin, null, $"unexpected {Peek.Describe()} after the closing '}}' of the file");
        }
        return root;
    }

    private SyntaxObject ParseBody(HoconOrigin open, bool braced, HoconPath prefix)
    {
        var entries = new List<SyntaxEntry>();
        while (true)
        {
            SkipBlank();
            var token = Peek;
            if (token.Kind == HoconTokenKind.RightBrace)
            {
                if (!braced)
                {
                    throw new HoconException(token.Origin, null, "unexpected '}' with no '{' to close");
                }
                _pos++;
                return new SyntaxObject(entries, open);
            }
            if (token.Kind == HoconTokenKind.End)
            {
                if (braced)
                {
                    throw new HoconException(open, null, "missing '}' for the '{' opened here");
                }
                return new SyntaxObject(entries, open);
            }
            var entry = ParseEntry(prefix);
            entries.Add(entry);
            ExpectEntrySeparator(entry, prefix);
        }
    }

    private void ExpectEntrySeparator(SyntaxEntry entry, HoconPath prefix)
    {
        SkipWhitespace();
        var after = Peek;
        if (after.Kind == HoconTokenKind.Comma)
        {
            _pos++;
            return;
        }
        if (after.Kind is HoconTokenKind.Newline or HoconTokenKind.RightBrace or HoconTokenKind.End)
        {
            return;
        }
        var key = entry is SyntaxField f ? Join(prefix, f.Path) : null;
        throw new HoconException(after.Origin, key, $"expected ',' or a line break after the value, got {after.Describe()} (quote the value if it contains '{after.Text}')");
    }

    private static string Join(HoconPath prefix, HoconPath path) => new HoconPath([.. prefix.Segments, .. path.Segments]).ToString();

    private SyntaxEntry ParseEntry(HoconPath prefix)
    {
        if (IsIncludeDirective())
        {
            return ParseInclude();
        }
        var start = Peek;
        var path = ParseKey();
        var key = Join(prefix, path);
        SkipBlankBefore(FollowsKey);
        var separator = Peek;
        var append = false;
        switch (separator.Kind)
        {
            case HoconTokenKind.Separator:
                _pos++;
                break;
            case HoconTokenKind.PlusEquals:
                _pos++;
                append = true;
                break;
            case HoconTokenKind.LeftBrace:
                break;
            default:
                throw new HoconException(separator.Origin, key, $"expected '=', ':' or '{{' after the key, got {separator.Describe()}");
        }
        SkipBlankBefore(StartsValue);
        var value = ParseValue(key, prefix.Segments.Concat(path.Segments));
        return new SyntaxField(path, append, value, start.Origin);
    }

    private bool IsIncludeDirective()
    {
        if (Peek.Kind != HoconTokenKind.Unquoted || Peek.Text != "include")
        {
            return false;
        }
        var ahead = NextNonBlank(_pos + 1);
        if (ahead == _pos + 1)
        {
            return false;
        }
        var target = _tokens[ahead];
        return target.Kind == HoconTokenKind.Quoted || (target.Kind == HoconTokenKind.Unquoted && target.Text.EndsWith('('));
    }

    /// <summary><c>include "f"</c>, <c>include file("f")</c>, <c>include required("f")</c> or
    /// <c>include required(file("f"))</c>, with any blanks and line breaks after <c>include</c>. A missing file is
    /// ignored unless required (HOCON spec, "Includes").</summary>
    private SyntaxInclude ParseInclude()
    {
        var origin = Next().Origin;
        SkipBlank();
        var required = false;
        var open = 0;
        while (Peek.Kind == HoconTokenKind.Unquoted && Peek.Text.EndsWith('('))
        {
            var wrapper = Next();
            // '(' may stand in unquoted text, so required(file( arrives as one token: one wrapper per '('.
            foreach (var name in wrapper.Text.Split('(')[..^1])
            {
                switch (name)
                {
                    case "required":
                        required = true;
                        break;
                    case "file":
                        break;
                    default:
                        throw new HoconException(wrapper.Origin, null, $"include {name}(...) is not supported; use include \"file\", file(\"...\") or required(\"...\")");
                }
                open++;
            }
        }
        if (Peek.Kind != HoconTokenKind.Quoted)
        {
            throw new HoconException(Peek.Origin, null, $"include needs a quoted file name, got {Peek.Describe()}");
        }
        var file = Next().Text;
        var closed = 0;
        while (closed < open && Peek.Kind == HoconTokenKind.Unquoted && Peek.Text.All(c => c == ')'))
        {
            closed += Next().Text.Length;
        }
        if (closed != open)
        {
            throw new HoconException(origin, null, $"include of \"{file}\": unbalanced parentheses");
        }
        return new SyntaxInclude(file, required, origin);
    }

    /// <summary>A key: unquoted text splits at '.', quoted text is one element ("a.b" stays whole).</summary>
    private HoconPath ParseKey()
    {
        var parts = new List<HoconToken>();
        while (Peek.Kind is HoconTokenKind.Unquoted or HoconTokenKind.Quoted or HoconTokenKind.Whitespace)
        {
            parts.Add(Next());
        }
        while (parts.Count > 0 && parts[^1].Kind == HoconTokenKind.Whitespace)
        {
            parts.RemoveAt(parts.Count - 1);
        }
        if (parts.Count == 0)
        {
            throw new HoconException(Peek.Origin, null, $"expected a key, got {Peek.Describe()}");
        }
        return BuildKeyPath(parts);
    }

    private static HoconPath BuildKeyPath(List<HoconToken> parts)
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        var hasQuoted = false;
        var text = string.Concat(parts.Select(p => p.Kind == HoconTokenKind.Quoted ? $"\"{p.Text}\"" : p.Text));
        foreach (var part in parts)
        {
            if (part.Kind != HoconTokenKind.Unquoted)
            {
                current.Append(part.Text);
                hasQuoted |= part.Kind == HoconTokenKind.Quoted;
                continue;
            }
            var pieces = part.Text.Split('.');
            current.Append(pieces[0]);
            foreach (var piece in pieces.Skip(1))
            {
                EndKeySegment(segments, current, hasQuoted, text, part.Origin);
                hasQuoted = false;
                current.Append(piece);
            }
        }
        EndKeySegment(segments, current, hasQuoted, text, parts[0].Origin);
        return new HoconPath(segments);
    }

    private static void EndKeySegment(List<string> segments, StringBuilder current, bool quoted, string text, HoconOrigin origin)
    {
        if (current.Length == 0 && !quoted)
        {
            throw new HoconException(origin, text, "the key has an empty element (two dots, or a dot at an end)");
        }
        segments.Add(current.ToString());
        current.Clear();
    }

    /// <summary>The parts of a value up to the end of the line, a ',' or a closing bracket.</summary>
    private SyntaxValue ParseValue(string? key, IEnumerable<string> path)
    {
        var parts = new List<SyntaxPart>();
        var at = new HoconPath(path);
        while (true)
        {
            var token = Peek;
            switch (token.Kind)
            {
                case HoconTokenKind.Whitespace:
                    _pos++;
                    parts.Add(new SyntaxLiteral(new HoconString(token.Text, token.Origin, isUnquoted: false, isWhitespace: true)));
                    continue;
                case HoconTokenKind.Unquoted:
                    _pos++;
                    parts.Add(new SyntaxLiteral(new HoconString(token.Text, token.Origin, isUnquoted: true, isWhitespace: false)));
                    continue;
                case HoconTokenKind.Quoted:
                    _pos++;
                    parts.Add(new SyntaxLiteral(new HoconString(token.Text, token.Origin)));
                    continue;
                case HoconTokenKind.Substitution:
                    _pos++;
                    parts.Add(new SyntaxLiteral(new HoconSubstitution(token.Path!, token.Optional, token.Origin)));
                    continue;
                case HoconTokenKind.LeftBrace:
                    _pos++;
                    Enter(token, key);
                    parts.Add(ParseBody(token.Origin, braced: true, at));
                    _depth--;
                    continue;
                case HoconTokenKind.LeftBracket:
                    _pos++;
                    Enter(token, key);
                    parts.Add(ParseArray(token.Origin, key, at));
                    _depth--;
                    continue;
                default:
                    return FinishValue(parts, key, token);
            }
        }
    }

    private void Enter(HoconToken open, string? key)
    {
        if (++_depth > DepthMax)
        {
            throw new HoconException(open.Origin, key, $"objects and arrays are nested more than {DepthMax} deep");
        }
    }

    private static SyntaxValue FinishValue(List<SyntaxPart> parts, string? key, HoconToken stop)
    {
        while (parts.Count > 0 && parts[^1] is SyntaxLiteral { Value: HoconString { IsWhitespace: true } })
        {
            parts.RemoveAt(parts.Count - 1);
        }
        if (stop.Kind is HoconTokenKind.Separator or HoconTokenKind.PlusEquals)
        {
            throw new HoconException(stop.Origin, key, $"unexpected '{stop.Text}' in a value (quote the value, or put a ',' or line break between two fields)");
        }
        if (parts.Count == 0)
        {
            throw new HoconException(stop.Origin, key, $"expected a value, got {stop.Describe()}");
        }
        if (parts is [SyntaxLiteral { Value: HoconString { IsUnquoted: true } lone }])
        {
            parts[0] = new SyntaxLiteral(Classify(lone));
        }
        return new SyntaxValue(parts);
    }

    /// <summary>A lone unquoted value may be a number, a boolean or null; in a concatenation it stays text.</summary>
    private static HoconValue Classify(HoconString text) => text.Value switch
    {
        "true" => new HoconBoolean(true, text.Origin),
        "false" => new HoconBoolean(false, text.Origin),
        "null" => new HoconNull(text.Origin),
        var s when HoconNumber.LooksLikeNumber(s) => new HoconNumber(s, text.Origin),
        var s => new HoconString(s, text.Origin),
    };

    private SyntaxArray ParseArray(HoconOrigin open, string? key, HoconPath at)
    {
        var items = new List<SyntaxValue>();
        while (true)
        {
            SkipBlank();
            var token = Peek;
            if (token.Kind == HoconTokenKind.RightBracket)
            {
                _pos++;
                return new SyntaxArray(items, open);
            }
            if (token.Kind == HoconTokenKind.End)
            {
                throw new HoconException(open, key, "missing ']' for the '[' opened here");
            }
            items.Add(ParseValue(key, at.Segments));
            SkipWhitespace();
            var after = Peek;
            if (after.Kind == HoconTokenKind.Comma)
            {
                _pos++;
            }
            else if (after.Kind is not (HoconTokenKind.Newline or HoconTokenKind.RightBracket))
            {
                throw new HoconException(after.Origin, key, $"expected ',' or ']' in the array, got {after.Describe()}");
            }
        }
    }
}
