using Swarm.Actors.Consensus;
using Swarm.Node.Cli;
using Swarm.Node.Identity;

namespace Swarm.Tests.Networking;

public sealed class ConsortiumTests
{
    private static readonly string FingerprintA = new('a', 64);
    private static readonly string FingerprintB = new('b', 64);
    private static readonly string KeyA = NewKey();
    private static readonly string KeyB = NewKey();

    private static string NewKey()
    {
        using var signer = Ed25519Signer.Generate();
        return MemberKeys.Of(signer);
    }

    private static string Member(string id, string endpoint, string fingerprint, string key) =>
        $"    {{ id = \"{id}\", endpoint = \"{endpoint}\", fingerprint = \"{fingerprint}\",\n      signing-key = \"{key}\" }}\n";

    private static string FileText(string members) => $"consortium {{\n  name = \"x\"\n  members = [\n{members}  ]\n}}\n";

    [Fact]
    public void Init_add_and_show_round_trip_through_the_file()
    {
        using var dir = new TempDirectory();
        var file = dir.Sub("consortium.conf");
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["keygen", "--out", dir.Sub("a"), "--node-id", "a"]));
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["keygen", "--out", dir.Sub("b"), "--node-id", "b"]));
        using var a = NodeIdentity.Load(dir.Sub("a"));
        using var b = NodeIdentity.Load(dir.Sub("b"));

        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["consortium", "init", "--name", "radiology", "--file", file]));
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["consortium", "add", "--file", file, "--id", "a", "--endpoint", "127.0.0.1:47001",
            "--cert", dir.Sub("a/node.crt"), "--signing-key", dir.Sub("a/signing.pub")]));
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["consortium", "add", "--file", file, "--id", "b", "--endpoint", "[::1]:47002",
            "--fingerprint", FingerprintB, "--signing-key", dir.Sub("b/signing.pub")]));
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["consortium", "show", "--file", file]));

        var consortium = ConsortiumFile.Load(file);
        Assert.Equal("radiology", consortium.Name);
        Assert.Equal([a.ToMember("127.0.0.1:47001"), new ConsortiumMember("b", "[::1]:47002", FingerprintB, MemberKeys.Of(b.Signer))],
            consortium.Members);
        Assert.Equal(("::1", 47002), consortium.Members[1].HostAndPort);
        // The chain key is the member's raw Ed25519 key, not its TLS key.
        Assert.Equal(b.Signer.PublicKey, MemberKeys.SigningKey(consortium.Members[1]));
    }

    [Fact]
    public void Add_refuses_a_signing_key_file_that_holds_no_ed25519_public_key_and_names_the_file()
    {
        using var dir = new TempDirectory();
        var file = dir.Sub("c.conf");
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["keygen", "--out", dir.Sub("a"), "--node-id", "a"]));
        SwarmCli.Run(["consortium", "init", "--name", "x", "--file", file]);
        var error = new StringWriter();
        var console = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(ExitCodes.Config, SwarmCli.Run(["consortium", "add", "--file", file, "--id", "a", "--endpoint", "h:1",
                "--cert", dir.Sub("a/node.crt"), "--signing-key", dir.Sub("a/node.crt")]));
        }
        finally
        {
            Console.SetError(console);
        }

        Assert.Contains($"{dir.Sub("a/node.crt")}: not an Ed25519 public key", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(ConsortiumFile.Load(file).Members);
    }

    public static TheoryData<string, string> BadSigningKeys => new()
    {
        { "", "c.conf:5: member 'a': signing-key is empty" },
        { "***", "c.conf:5: member 'a': signing-key is not base64" },
        { Convert.ToBase64String(new byte[16]), "c.conf:5: member 'a': signing-key must be a 32-byte Ed25519 public key, got 16 bytes" },
    };

    [Theory]
    [MemberData(nameof(BadSigningKeys))]
    public void A_malformed_signing_key_is_refused_with_the_file_line_and_member(string key, string expected)
    {
        var text = FileText(Member("a", "h:1", FingerprintA, key));
        var error = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Parse(text, "c.conf"));
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void A_member_without_a_signing_key_or_with_the_old_public_key_is_refused_with_how_to_add_it()
    {
        var missing = FileText($"    {{ id = \"a\", endpoint = \"h:1\", fingerprint = \"{FingerprintA}\" }}\n");
        var error = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Parse(missing, "c.conf")).Message;
        Assert.StartsWith("c.conf:4: member 'a': signing-key is missing (the member's Ed25519 public key", error, StringComparison.Ordinal);
        Assert.Contains("swarm consortium add --cert node.crt --signing-key signing.pub", error, StringComparison.Ordinal);

        var old = FileText($"    {{ id = \"a\", endpoint = \"h:1\", fingerprint = \"{FingerprintA}\", public-key = \"MFkw\" }}\n");
        error = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Parse(old, "c.conf")).Message;
        Assert.StartsWith("c.conf:4: members[0].public-key is no longer read: members sign with an Ed25519 key", error, StringComparison.Ordinal);
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
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["keygen", "--out", dir.Sub("a"), "--node-id", "a"]));
        var key = dir.Sub("a/signing.pub");
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["consortium", "add", "--file", file, "--id", "a", "--endpoint", "h:1", "--fingerprint", FingerprintA, "--signing-key", key]));

        Assert.Equal(ExitCodes.Config, SwarmCli.Run(["consortium", "add", "--file", file, "--id", "a", "--endpoint", "h:2", "--fingerprint", FingerprintB, "--signing-key", key]));

        Assert.Single(ConsortiumFile.Load(file).Members);
    }

    [Fact]
    public void Validation_errors_name_the_member_and_the_field()
    {
        var consortium = new Consortium("x",
        [
            new ConsortiumMember("a", "127.0.0.1:47001", FingerprintA, KeyA),
            new ConsortiumMember("b", "no-port", FingerprintB, KeyB),
            new ConsortiumMember("c", "h:3", "xyz", NewKey()),
            new ConsortiumMember("d", "h:4", FingerprintA, NewKey()),
            new ConsortiumMember("a", "h:5", new string('c', 64), NewKey()),
            new ConsortiumMember("Bad Id", "h:6", new string('d', 64), NewKey()),
            new ConsortiumMember("e", "h:7", new string('e', 64), KeyA),
            new ConsortiumMember("f", "h:8", new string('f', 64), "AAAA"),
        ]);

        var problems = consortium.Validate();

        Assert.Contains("member 'b': endpoint 'no-port' is not HOST:PORT", problems);
        Assert.Contains(problems, p => p.StartsWith("member 'c': fingerprint must be 64 hex digits", StringComparison.Ordinal));
        Assert.Contains("member 'd': fingerprint is already pinned for member 'a'", problems);
        Assert.Contains("member 'a': id is listed twice", problems);
        Assert.Contains(problems, p => p.StartsWith("member 'Bad Id': id must be lowercase", StringComparison.Ordinal));
        Assert.Contains("member 'e': signing-key is already the key of member 'a'", problems);
        Assert.Contains("member 'f': signing-key must be a 32-byte Ed25519 public key, got 3 bytes", problems);
        Assert.Equal(7, problems.Count);
    }

    [Theory]
    [InlineData("consortium { name = \"x\", members = [ { id = \"a\", endpoint = \"h:1\" } ] }", "member 'a': fingerprint is missing")]
    [InlineData("consortium { name = \"x\", members = [ { id = \"a\", colour = \"h:1\" } ] }", "(expected id, endpoint, fingerprint or signing-key)")]
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
        var consortium = new Consortium("r \"q\"", [new ConsortiumMember("a", "h:1", FingerprintA, KeyA)]);
        var parsed = ConsortiumFile.Parse(ConsortiumFile.Format(consortium), "c.conf");
        Assert.Equal(consortium.Name, parsed.Name);
        Assert.Equal(consortium.Members, parsed.Members);

        var hocon = "// comment\nconsortium {\n  name: \"n\"\n  members: [\n    { id: \"a\"\n endpoint: \"h:1\"\n fingerprint: \"" + FingerprintA + "\"\n signing-key: \"" + KeyA + "\" }\n  ]\n}\n";
        Assert.Equal("a", Assert.Single(ConsortiumFile.Parse(hocon, "c.conf").Members).Id);
    }
}
