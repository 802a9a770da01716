using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Swarm.Node.Cli;
using Swarm.Node.Identity;

namespace Swarm.Tests.Networking;

public sealed class IdentityTests
{
    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Keygen_writes_owner_only_keys_a_certificate_named_after_the_node_and_the_signing_public_key()
    {
        using var dir = new TempDirectory();

        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["keygen", "--out", dir.Path, "--node-id", "clinic-a"]));

        foreach (var name in new[] { NodeIdentity.KeyFileName, NodeIdentity.SigningKeyFileName })
        {
            var keyPath = Path.Combine(dir.Path, name);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(keyPath), StringComparison.Ordinal);
        }
        using var identity = NodeIdentity.Load(dir.Path);
        var publicKeyFile = Path.Combine(dir.Path, NodeIdentity.SigningPublicKeyFileName);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", File.ReadAllText(publicKeyFile), StringComparison.Ordinal);
        Assert.Equal(MemberKeys.Of(identity.Signer), MemberKeys.ReadPublicKeyFile(publicKeyFile));
        Assert.Equal("clinic-a", identity.NodeId);
        Assert.True(identity.Certificate.HasPrivateKey);
        var usages = identity.Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages;
        Assert.Contains(usages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
        Assert.Contains(usages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.2");
    }

    [Fact]
    public void The_fingerprint_is_the_sha256_of_the_public_key_and_both_keys_are_stable_across_loads()
    {
        using var dir = new TempDirectory();
        using var created = NodeIdentity.Create("b", 2);
        created.Save(dir.Path, overwrite: false);
        using var loaded = NodeIdentity.Load(dir.Path);
        using var key = loaded.Certificate.GetECDsaPublicKey()!;

        Assert.Equal(created.Fingerprint, loaded.Fingerprint);
        Assert.Equal(created.Fingerprint, Fingerprint.Of(key));
        Assert.Null(Fingerprint.Problem(loaded.Fingerprint));
        Assert.Equal(created.Signer.PublicKey, loaded.Signer.PublicKey);
        Assert.Equal(created.Signer.Sign("m"u8), loaded.Signer.Sign("m"u8));
    }

    [Fact]
    public void Keygen_refuses_to_overwrite_a_key_without_force()
    {
        using var dir = new TempDirectory();
        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["keygen", "--out", dir.Path, "--node-id", "a"]));
        var signingKey = Path.Combine(dir.Path, NodeIdentity.SigningKeyFileName);
        var before = File.ReadAllText(Path.Combine(dir.Path, NodeIdentity.KeyFileName)) + File.ReadAllText(signingKey);
        // Only the signing key is left: keygen must still refuse, or it would replace the TLS key beside it.
        File.Delete(Path.Combine(dir.Path, NodeIdentity.KeyFileName));
        File.Delete(Path.Combine(dir.Path, NodeIdentity.CertificateFileName));

        Assert.Equal(ExitCodes.Failure, SwarmCli.Run(["keygen", "--out", dir.Path, "--node-id", "a"]));
        Assert.EndsWith(File.ReadAllText(signingKey), before, StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["keygen", "--out", dir.Path, "--node-id", "a", "--force"]));
        Assert.False(before.EndsWith(File.ReadAllText(signingKey), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("has space")]
    [InlineData("")]
    [InlineData("-leading-dash")]
    public void Keygen_rejects_an_invalid_node_id(string id)
    {
        using var dir = new TempDirectory();
        Assert.Equal(ExitCodes.Usage, SwarmCli.Run(["keygen", "--out", dir.Path, "--node-id", id]));
        Assert.False(File.Exists(Path.Combine(dir.Path, NodeIdentity.KeyFileName)));
    }
}
