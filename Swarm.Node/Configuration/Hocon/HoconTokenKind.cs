namespace Swarm.Node.Configuration.Hocon;

/// <summary>The kinds of token the HOCON tokenizer produces. Comments never become tokens; the line break that
/// ends one does.</summary>
internal enum HoconTokenKind
{
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,

    /// <summary><c>=</c> or <c>:</c>.</summary>
    Separator,
    PlusEquals,
    Comma,
    Newline,
    Whitespace,
    Unquoted,
    Quoted,
    Substitution,
    End,
}
