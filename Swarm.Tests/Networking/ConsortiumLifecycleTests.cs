using Swarm.Node.Cli;
using Swarm.Node.Identity;
using Swarm.Node.Networking;

namespace Swarm.Tests.Networking;

/// <summary>Issue 17, item 3: the consortium file is versioned (every edit adds one) and fingerprinted, members can
/// be removed and their keys rotated from the command line, and a pinned certificate is refused once it expired
/// (the pin replaces the chain check, not the certificate's dates).</summary>
public sealed class ConsortiumLifecycleTests
{
    private static int Run(params string[] args)
    {
        lock (ConsoleLock)
        {
            var error = Console.Error;
            var captured = new StringWriter();
            Console.SetError(captured);
            try
            {
                var code = SwarmCli.Run(args);
                LastError = captured.ToString();
                return code;
            }
            finally
            {
                Console.SetError(error);
            }
        }
    }

    private sealed class FixedTime(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }

    private static readonly object ConsoleLock = new();
    private static string LastError = "";

    [Fact]
    public void Every_edit_adds_a_version_and_changes_the_digest_remove_drops_the_member_and_rotate_keeps_the_rest()
    {
        using var dir = new TempDirectory();
        var file = dir.Sub("consortium.conf");
        foreach (var id in new[] { "a", "b", "a2" })
        {
            Assert.Equal(ExitCodes.Ok, Run("keygen", "--out", dir.Sub(id), "--node-id", id == "a2" ? "a" : id));
        }
        Assert.Equal(ExitCodes.Ok, Run("consortium", "init", "--name", "radiology", "--file", file));
        var v1 = ConsortiumFile.Load(file);
        Assert.Equal(ExitCodes.Ok, Run("consortium", "add", "--file", file, "--id", "a", "--endpoint", "10.0.0.1:47001",
            "--cert", dir.Sub("a/node.crt"), "--signing-key", dir.Sub("a/signing.pub")));
        Assert.Equal(ExitCodes.Ok, Run("consortium", "add", "--file", file, "--id", "b", "--endpoint", "10.0.0.2:47001",
            "--cert", dir.Sub("b/node.crt"), "--signing-key", dir.Sub("b/signing.pub")));
        var v3 = ConsortiumFile.Load(file);

        Assert.Equal(ExitCodes.Ok, Run("consortium", "rotate", "--file", file, "--id", "a", "--cert", dir.Sub("a2/node.crt"),
            "--signing-key", dir.Sub("a2/signing.pub")));
        var v4 = ConsortiumFile.Load(file);
        Assert.Equal(ExitCodes.Ok, Run("consortium", "remove", "--file", file, "--id", "b"));
        var v5 = ConsortiumFile.Load(file);

        Assert.Equal([1L, 3L, 4L, 5L], new[] { v1, v3, v4, v5 }.Select(c => c.Version));
        Assert.Equal(4, new[] { v1, v3, v4, v5 }.Select(c => c.Digest).Distinct().Count());
        using var a2 = NodeIdentity.Load(dir.Sub("a2"));
        var rotated = Assert.Single(v5.Members);
        Assert.Equal(a2.ToMember("10.0.0.1:47001"), rotated);
        Assert.NotEqual(v3.Find("a")!.Fingerprint, rotated.Fingerprint);
        // The digest is of the content: the same file read twice, or written again, gives the same digest.
        ConsortiumFile.Save(dir.Sub("copy.conf"), v5);
        Assert.Equal(v5.Digest, ConsortiumFile.Load(dir.Sub("copy.conf")).Digest);
        Assert.Equal(v5, ConsortiumFile.Load(dir.Sub("copy.conf")) with { Members = v5.Members });
    }

    [Fact]
    public void Remove_or_rotate_of_a_stranger_and_a_rotate_that_changes_nothing_are_refused_and_leave_the_file_alone()
    {
        using var dir = new TempDirectory();
        var file = dir.Sub("c.conf");
        Assert.Equal(ExitCodes.Ok, Run("consortium", "init", "--name", "x", "--file", file));
        var before = File.ReadAllText(file);

        Assert.Equal(ExitCodes.Config, Run("consortium", "remove", "--file", file, "--id", "mallory"));
        Assert.Contains("'mallory' is not a member of consortium 'x'", LastError, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Config, Run("consortium", "rotate", "--file", file, "--id", "mallory", "--endpoint", "h:1"));
        Assert.Contains("'mallory' is not a member", LastError, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, Run("consortium", "rotate", "--file", file, "--id", "mallory"));
        Assert.Contains("nothing to change", LastError, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(file));
    }

    [Fact]
    public void A_file_written_before_versions_reads_as_version_0_and_a_bad_version_names_the_line()
    {
        using var dir = new TempDirectory();
        var file = dir.Sub("old.conf");
        File.WriteAllText(file, "consortium {\n  name = \"x\"\n  members = []\n}\n");
        Assert.Equal(0, ConsortiumFile.Load(file).Version);

        File.WriteAllText(file, "consortium {\n  name = \"x\"\n  version = -3\n  members = []\n}\n");
        var error = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Load(file));
        Assert.Contains("old.conf:3", error.Message, StringComparison.Ordinal);
        Assert.Contains("consortium.version must be a whole number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pinned_certificate_that_expired_is_refused_at_the_handshake_and_by_consortium_add()
    {
        // Issued two years ago for one year: pinned, but expired a year ago.
        var then = new FixedTime(DateTimeOffset.UtcNow.AddYears(-2));
        using var expired = NodeIdentity.Create("a", validityYears: 1, then);
        using var valid = NodeIdentity.Create("b", validityYears: 1);
        var consortium = new Consortium("x", [expired.ToMember("h:1"), valid.ToMember("h:2")]);

        Assert.Contains("node 'a': certificate expired on", PeerAuthenticator.Refusal(consortium, expired.Certificate, "a"), StringComparison.Ordinal);
        Assert.Null(PeerAuthenticator.Refusal(consortium, valid.Certificate, "b"));
        // Before it expired, the same pin passed: the date is what refuses it.
        Assert.Null(PeerAuthenticator.Refusal(consortium, expired.Certificate, "a", then.GetUtcNow().AddDays(1)));

        using var dir = new TempDirectory();
        var file = dir.Sub("c.conf");
        File.WriteAllText(dir.Sub("a.crt"), expired.Certificate.ExportCertificatePem());
        File.WriteAllText(dir.Sub("a.pub"), System.Text.Encoding.ASCII.GetString(expired.Signer.ExportPublicKeyPem()));
        Assert.Equal(ExitCodes.Ok, Run("consortium", "init", "--name", "x", "--file", file));
        Assert.Equal(ExitCodes.Config, Run("consortium", "add", "--file", file, "--id", "a", "--endpoint", "h:1", "--cert", dir.Sub("a.crt"),
            "--signing-key", dir.Sub("a.pub")));
        Assert.Contains("the certificate expired on", LastError, StringComparison.Ordinal);
    }
}
