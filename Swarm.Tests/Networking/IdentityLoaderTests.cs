using Swarm.Node.Configuration;
using Swarm.Node.Identity;
using Swarm.Node.Service;

namespace Swarm.Tests.Networking;

/// <summary>A node in a consortium starts only with its TLS key and its Ed25519 signing key, each the one the
/// consortium file lists for it; every other case is one start error that names the setting and what is wrong.</summary>
public sealed class IdentityLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly NodeIdentity _a = NodeIdentity.Create("a", 1);
    private readonly NodeIdentity _b = NodeIdentity.Create("b", 1);
    private readonly Consortium _consortium;

    public IdentityLoaderTests()
    {
        _a.Save(_dir.Sub("a"), overwrite: false);
        _b.Save(_dir.Sub("b"), overwrite: false);
        _consortium = new Consortium("c", [_a.ToMember("h:1"), _b.ToMember("h:2")]);
    }

    private NodeIdentity Load(string signingKeyPath, string certDirectory = "a") =>
        IdentityLoader.Load(
            new TlsSettings { CertPath = _dir.Sub($"{certDirectory}/node.crt"), KeyPath = _dir.Sub($"{certDirectory}/node.key") },
            new NodeIdentitySettings { Id = "a", DataDir = _dir.Path, SigningKeyPath = signingKeyPath },
            _consortium);

    [Fact]
    public void A_node_loads_the_signing_key_its_consortium_entry_lists()
    {
        using var loaded = Load(_dir.Sub("a/signing.key"));

        Assert.Equal(_a.Signer.PublicKey, loaded.Signer.PublicKey);
        Assert.Equal(_a.Fingerprint, loaded.Fingerprint);
    }

    [Fact]
    public void A_node_whose_own_certificate_expired_does_not_start_and_says_how_to_rotate()
    {
        using var expired = NodeIdentity.Create("a", 1, new FixedTime(DateTimeOffset.UtcNow.AddYears(-2)));
        expired.Save(_dir.Sub("old"), overwrite: false);
        var consortium = new Consortium("c", [expired.ToMember("h:1")]);

        var error = Assert.Throws<NodeStartException>(() => IdentityLoader.Load(
            new TlsSettings { CertPath = _dir.Sub("old/node.crt"), KeyPath = _dir.Sub("old/node.key") },
            new NodeIdentitySettings { Id = "a", DataDir = _dir.Path, SigningKeyPath = _dir.Sub("old/signing.key") }, consortium));
        Assert.Contains("the node's certificate expired on", error.Message, StringComparison.Ordinal);
        Assert.Contains("swarm consortium rotate", error.Message, StringComparison.Ordinal);
    }

    private sealed class FixedTime(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }

    [Fact]
    public void A_node_without_a_signing_key_path_does_not_start_and_says_which_setting()
    {
        var error = Assert.Throws<NodeStartException>(() => Load(""));
        Assert.Contains("needs node.signing-key-path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_holding_another_members_signing_key_does_not_start()
    {
        var error = Assert.Throws<NodeStartException>(() => Load(_dir.Sub("b/signing.key")));
        Assert.Contains($"but consortium 'c' lists signing-key {MemberKeys.Of(_a.Signer)} for node 'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signing_key_file_that_is_not_an_ed25519_key_is_refused_naming_the_file()
    {
        // node.key is a PKCS#8 PEM too, but of an ECDSA P-256 key.
        var path = _dir.Sub("a/node.key");
        var error = Assert.Throws<NodeStartException>(() => Load(path));
        Assert.Contains($"node.signing-key-path: {path} is not an Ed25519 private key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_whose_key_is_not_the_pinned_one_does_not_start()
    {
        using (var other = NodeIdentity.Create("a", 1))
        {
            other.Save(_dir.Sub("other"), overwrite: false);
        }

        var error = Assert.Throws<NodeStartException>(() => Load(_dir.Sub("a/signing.key"), certDirectory: "other"));

        Assert.Contains($"but consortium 'c' pins {_a.Fingerprint} for node 'a'", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _dir.Dispose();
    }
}
