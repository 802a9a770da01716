using System.Text;

namespace Swarm.Node.Identity;

/// <summary>Recursive-descent reader for the fixed consortium shape (see <see cref="ConsortiumFile"/>). Accepts
/// HOCON's separators (<c>=</c> or <c>:</c>, commas or newlines) and comments (<c>#</c>, <c>//</c>).</summary>
internal sealed class ConsortiumReader(string text, string source)
{
    private const string AddHint = "swarm consortium add --cert node.crt --signing-key " + NodeIdentity.SigningPublicKeyFileName;
    private int _position;
    private int _line = 1;

    public Consortium ReadDocument()
    {
        Expect("consortium");
        SkipOptional('=', ':');
        Expect('{');
        string? name = null;
        List<ConsortiumMember>? members = null;
        long version = 0;
        while (!TryConsume('}'))
        {
            var key = ReadKey();
            ExpectSeparator(key);
            switch (key)
            {
                case "name":
                    name = ReadString(key);
                    break;
                case "members":
                    members = ReadMembers();
                    break;
                case "version":
                    version = ReadVersion();
                    break;
                default:
                    throw Error($"unknown key 'consortium.{key}' (expected name, version or members)");
            }
            SkipOptional(',');
        }
        SkipTrivia();
        if (_position < text.Length)
        {
            throw Error("unexpected text after the closing '}' of consortium");
        }
        return new Consortium(name ?? throw Error("consortium.name is missing"), members ?? [], version);
    }

    /// <summary>The file's version: a whole number of up to 18 digits (the count of its edits).</summary>
    private long ReadVersion()
    {
        SkipTrivia();
        var start = _position;
        while (_position < text.Length && char.IsAsciiDigit(text[_position]))
        {
            _position++;
        }
        var digits = text[start.._position];
        if (digits.Length is 0 or > 18)
        {
            throw Error("consortium.version must be a whole number (0 to 18 digits, no sign)");
        }
        return long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
    }

    private List<ConsortiumMember> ReadMembers()
    {
        Expect('[');
        var members = new List<ConsortiumMember>();
        while (!TryConsume(']'))
        {
            members.Add(ReadMember(members.Count));
            SkipOptional(',');
        }
        return members;
    }

    private ConsortiumMember ReadMember(int index)
    {
        Expect('{');
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var signingKeyLine = 0;
        while (!TryConsume('}'))
        {
            var key = ReadKey();
            if (key == "public-key")
            {
                // Files written before members signed with Ed25519 carry the TLS key here; it signs nothing now.
                throw Error($"members[{index}].public-key is no longer read: members sign with an Ed25519 key of their own; "
                    + $"write signing-key instead (add the member again with: {AddHint})");
            }
            if (key is not ("id" or "endpoint" or "fingerprint" or "signing-key"))
            {
                throw Error($"unknown key 'members[{index}].{key}' (expected id, endpoint, fingerprint or signing-key)");
            }
            ExpectSeparator(key);
            signingKeyLine = key == "signing-key" ? _line : signingKeyLine;
            fields[key] = ReadString($"members[{index}].{key}");
            SkipOptional(',');
        }
        var who = fields.TryGetValue("id", out var id) ? $"member '{id}'" : $"members[{index}]";
        foreach (var required in new[] { "id", "endpoint", "fingerprint", "signing-key" })
        {
            if (!fields.ContainsKey(required))
            {
                var hint = required == "signing-key" ? $" (the member's Ed25519 public key, base64; add it with: {AddHint})" : "";
                throw Error($"{who}: {required} is missing{hint}");
            }
        }
        if (MemberKeys.Problem(fields["signing-key"]) is { } keyProblem)
        {
            throw Error($"{who}: signing-key {keyProblem}", signingKeyLine);
        }
        return new ConsortiumMember(fields["id"], fields["endpoint"], fields["fingerprint"], fields["signing-key"]);
    }

    private string ReadKey()
    {
        SkipTrivia();
        var start = _position;
        while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] is '_' or '-'))
        {
            _position++;
        }
        if (start == _position)
        {
            throw Error(_position < text.Length ? $"expected a key, found '{text[_position]}'" : "expected a key, found end of file");
        }
        return text[start.._position];
    }

    private string ReadString(string key)
    {
        SkipTrivia();
        if (_position >= text.Length || text[_position] != '"')
        {
            throw Error($"{key} must be a quoted string");
        }
        _position++;
        var value = new StringBuilder();
        while (_position < text.Length && text[_position] != '"')
        {
            var c = text[_position++];
            if (c == '\n')
            {
                throw Error($"{key}: string is not closed on its line");
            }
            if (c == '\\' && _position < text.Length)
            {
                c = text[_position++];
            }
            value.Append(c);
        }
        if (_position >= text.Length)
        {
            throw Error($"{key}: string is not closed");
        }
        _position++;
        return value.ToString();
    }

    private void Expect(string word)
    {
        var key = ReadKey();
        if (key != word)
        {
            throw Error($"expected '{word}', found '{key}'");
        }
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
        {
            throw Error(_position < text.Length ? $"expected '{c}', found '{text[_position]}'" : $"expected '{c}', found end of file");
        }
    }

    private void ExpectSeparator(string key)
    {
        if (!TryConsume('=') && !TryConsume(':'))
        {
            throw Error($"expected '=' after '{key}'");
        }
    }

    private void SkipOptional(params char[] candidates)
    {
        foreach (var c in candidates)
        {
            if (TryConsume(c))
            {
                return;
            }
        }
    }

    private bool TryConsume(char c)
    {
        SkipTrivia();
        if (_position < text.Length && text[_position] == c)
        {
            _position++;
            return true;
        }
        return false;
    }

    private void SkipTrivia()
    {
        while (_position < text.Length)
        {
            var c = text[_position];
            if (c == '\n')
            {
                _line++;
                _position++;
            }
            else if (char.IsWhiteSpace(c))
            {
                _position++;
            }
            else if (c == '#' || (c == '/' && _position + 1 < text.Length && text[_position + 1] == '/'))
            {
                while (_position < text.Length && text[_position] != '\n')
                {
                    _position++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private ConsortiumFormatException Error(string message, int line = 0) => new($"{source}:{(line > 0 ? line : _line)}: {message}");
}
