using Swarm.Node.Cli;
using Swarm.Node.Identity;
using Swarm.Tests.Blobs;

namespace Swarm.Tests.Networking;

public sealed class ConsortiumTests
{
    private static readonly string FingerprintA = new('a', 64);
    private static readonly string FingerprintB = new('b', 64);

    [Fact]
    public void Init_add_and_show_round_trip_through_the_file()
    {
        using var dir = new TempDirectory();
        var file = dir.Sub("consortium.conf");
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["keygen", "--out", dir.Sub("a"), "--node-id", "a"]));
        using var a = NodeIdentity.Load(dir.Sub("a"));

        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["consortium", "init", "--name", "radiology", "--file", file]));
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["consortium", "add", "--file", file, "--id", "a", "--endpoint", "127.0.0.1:47001", "--cert", dir.Sub("a/node.crt")]));
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["consortium", "add", "--file", file, "--id", "b", "--endpoint", "[::1]:47002", "--fingerprint", FingerprintB]));
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["consortium", "show", "--file", file]));

        var consortium = ConsortiumFile.Load(file);
        Assert.Equal("radiology", consortium.Name);
        var publicKey = Convert.ToBase64String(a.Certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(
            [new ConsortiumMember("a", "127.0.0.1:47001", a.Fingerprint, publicKey), new ConsortiumMember("b", "[::1]:47002", FingerprintB)],
            consortium.Members);
        Assert.Equal(("::1", 47002), consortium.Members[1].HostAndPort);
        // The chain key is the uncompressed point of the pinned key.
        Assert.Equal(65, MemberKeys.ChainKey(consortium.Members[0]).Length);
        Assert.Contains("no public-key", Assert.Throws<InvalidOperationException>(() => MemberKeys.ChainKey(consortium.Members[1])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_public_key_that_does_not_match_its_pinned_fingerprint_is_refused_with_the_line()
    {
        using var dir = new TempDirectory();
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["keygen", "--out", dir.Sub("a"), "--node-id", "a"]));
        using var a = NodeIdentity.Load(dir.Sub("a"));
        var key = Convert.ToBase64String(a.Certificate.PublicKey.ExportSubjectPublicKeyInfo());
        var text = $"consortium {{\n  name = \"x\"\n  members = [\n    {{ id = \"a\", endpoint = \"h:1\", fingerprint = \"{FingerprintA}\", public-key = \"{key}\" }}\n  ]\n}}\n";

        var error = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Parse(text, "c.conf"));

        Assert.Contains("c.conf:", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not match the pinned fingerprint", error.Message, StringComparison.Ordinal);
        Assert.Contains("not base64", Assert.Throws<ConsortiumFormatException>(() =>
            ConsortiumFile.Parse(text.Replace(key, "***", StringComparison.Ordinal), "c.conf")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_refuses_to_replace_an_existing_file()
    {
        using var dir = new TempDirectory();
        var file = dir.Sub("c.conf");
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["consortium", "init", "--name", "x", "--file", file]));
        Assert.Equal(ExitCodes.Failure, SwarmCli.Run(["consortium", "init", "--name", "y", "--file", file]));
        Assert.Equal("x", ConsortiumFile.Load(file).Name);
    }

    [Fact]
    public void Add_refuses_a_duplicate_id_and_leaves_the_file_unchanged()
    {
        using var dir = new TempDirectory();
        var file = dir.Sub("c.conf");
        SwarmCli.Run(["consortium", "init", "--name", "x", "--file", file]);
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["consortium", "add", "--file", file, "--id", "a", "--endpoint", "h:1", "--fingerprint", FingerprintA]));

        Assert.Equal(ExitCodes.Config, SwarmCli.Run(["consortium", "add", "--file", file, "--id", "a", "--endpoint", "h:2", "--fingerprint", FingerprintB]));

        Assert.Single(ConsortiumFile.Load(file).Members);
    }

    [Fact]
    public void Validation_errors_name_the_member_and_the_field()
    {
        var consortium = new Consortium("x",
        [
            new ConsortiumMember("a", "127.0.0.1:47001", FingerprintA),
            new ConsortiumMember("b", "no-port", FingerprintB),
            new ConsortiumMember("c", "h:3", "xyz"),
            new ConsortiumMember("d", "h:4", FingerprintA),
            new ConsortiumMember("a", "h:5", new string('c', 64)),
            new ConsortiumMember("Bad Id", "h:6", new string('d', 64)),
        ]);

        var problems = consortium.Validate();

        Assert.Contains("member 'b': endpoint 'no-port' is not HOST:PORT", problems);
        Assert.Contains(problems, p => p.StartsWith("member 'c': fingerprint must be 64 hex digits", StringComparison.Ordinal));
        Assert.Contains("member 'd': fingerprint is already pinned for member 'a'", problems);
        Assert.Contains("member 'a': id is listed twice", problems);
        Assert.Contains(problems, p => p.StartsWith("member 'Bad Id': id must be lowercase", StringComparison.Ordinal));
        Assert.Equal(5, problems.Count);
    }

    [Theory]
    [InlineData("consortium { name = \"x\", members = [ { id = \"a\", endpoint = \"h:1\" } ] }", "member 'a': fingerprint is missing")]
    [InlineData("consortium {\n name = \"x\"\n colour = \"red\"\n}", ":3: unknown key 'consortium.colour'")]
    [InlineData("consortium { members = [] }", "consortium.name is missing")]
    [InlineData("consortium { name = \"x\" ", "expected a key, found end of file")]
    [InlineData("consortium { name = x }", "name must be a quoted string")]
    public void A_malformed_file_is_reported_with_file_line_and_key(string text, string expected)
    {
        var error = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Parse(text, "c.conf"));
        Assert.StartsWith("c.conf:", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_and_parse_are_inverse_and_accept_hocon_separators_and_comments()
    {
        var consortium = new Consortium("r \"q\"", [new ConsortiumMember("a", "h:1", FingerprintA)]);
        var parsed = ConsortiumFile.Parse(ConsortiumFile.Format(consortium), "c.conf");
        Assert.Equal(consortium.Name, parsed.Name);
        Assert.Equal(consortium.Members, parsed.Members);

        var hocon = "// comment\nconsortium {\n  name: \"n\"\n  members: [\n    { id: \"a\"\n endpoint: \"h:1\"\n fingerprint: \"" + FingerprintA + "\" }\n  ]\n}\n";
        Assert.Equal("a", Assert.Single(ConsortiumFile.Parse(hocon, "c.conf").Members).Id);
    }
}
