namespace Swarm.Node.Configuration.Hocon;

/// <summary>One token: its kind, its text (the decoded text for quoted strings) and where it starts.
/// Substitution tokens carry their path and whether they are optional (<c>${?x}</c>).</summary>
internal readonly record struct HoconToken(HoconTokenKind Kind, string Text, HoconOrigin Origin, HoconPath? Path = null, bool Optional = false)
{
    /// <summary>How the token is named in error messages.</summary>
    public string Describe() => Kind switch
    {
        HoconTokenKind.Newline => "end of line",
        HoconTokenKind.End => "end of file",
        HoconTokenKind.Quoted => $"\"{Text}\"",
        HoconTokenKind.Substitution => "a substitution",
        HoconTokenKind.Whitespace => "whitespace",
        _ => $"'{Text}'",
    };
}
