using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Swarm.Actors.Consensus;

namespace Swarm.Node.Identity;

/// <summary>A node's identity: its id, the ECDSA P-256 key and self-signed certificate (CN = node id) it presents
/// on every TLS link, and the Ed25519 key it signs with. There is no certificate authority: peers pin the TLS key's
/// fingerprint and list the signing key in the consortium file. Two keys because .NET's TLS stack cannot use
/// Ed25519 certificates on Linux, while signatures that others check later should be Ed25519 (deterministic, fast).</summary>
public sealed class NodeIdentity : IDisposable
{
    public const string KeyFileName = "node.key";
    public const string CertificateFileName = "node.crt";
    public const string SigningKeyFileName = "signing.key";
    public const string SigningPublicKeyFileName = "signing.pub";

    public NodeIdentity(string nodeId, X509Certificate2 certificate, Ed25519Signer signer)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(signer);
        NodeId = nodeId;
        Certificate = certificate;
        Fingerprint = Identity.Fingerprint.Of(certificate);
        Signer = signer;
    }

    public string NodeId { get; }

    /// <summary>The certificate together with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public string Fingerprint { get; }

    /// <summary>The Ed25519 key that signs this node's envelopes, chain messages and task requests.</summary>
    public Ed25519Signer Signer { get; }

    /// <summary>This node's entry in a consortium file: its TLS key's fingerprint and its signing key.</summary>
    public ConsortiumMember ToMember(string endpoint) => new(NodeId, endpoint, Fingerprint, MemberKeys.Of(Signer));

    /// <summary>Creates a fresh TLS key with a self-signed certificate usable for client and server authentication,
    /// and a fresh Ed25519 signing key.</summary>
    public static NodeIdentity Create(string nodeId, int validityYears, TimeProvider? time = null)
    {
        var problem = Identity.NodeId.Problem(nodeId);
        if (problem is not null)
        {
            throw new ArgumentException($"node id '{nodeId}' {problem}", nameof(nodeId));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(validityYears, 1);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={nodeId}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [Oid.FromOidValue("1.3.6.1.5.5.7.3.1", OidGroup.EnhancedKeyUsage), Oid.FromOidValue("1.3.6.1.5.5.7.3.2", OidGroup.EnhancedKeyUsage)],
            false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(nodeId);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = (time ?? TimeProvider.System).GetUtcNow();
        using var selfSigned = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(validityYears));
        // Round-trip through PEM so the certificate owns a key usable by SslStream on every platform.
        return new(nodeId, X509Certificate2.CreateFromPem(selfSigned.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem()),
            Ed25519Signer.Generate());
    }

    /// <summary>Loads <c>node.key</c>, <c>node.crt</c> and <c>signing.key</c> from <paramref name="directory"/>; the
    /// node id is the CN.</summary>
    public static NodeIdentity Load(string directory)
    {
        var certPem = File.ReadAllText(Path.Combine(directory, CertificateFileName));
        var keyPem = File.ReadAllText(Path.Combine(directory, KeyFileName));
        using var probe = X509Certificate2.CreateFromPem(certPem);
        var nodeId = probe.GetNameInfo(X509NameType.SimpleName, false);
        return new(nodeId, X509Certificate2.CreateFromPem(certPem, keyPem), LoadSigner(Path.Combine(directory, SigningKeyFileName)));
    }

    /// <summary>Reads an Ed25519 private key file (PKCS#8 PEM, as <see cref="Save"/> writes it).</summary>
    /// <exception cref="CryptographicException">The file holds no Ed25519 private key.</exception>
    public static Ed25519Signer LoadSigner(string path) =>
        Ed25519Signer.TryImportPem(File.ReadAllBytes(path))
            ?? throw new CryptographicException($"{path} is not an Ed25519 private key (PKCS#8 PEM, as swarm keygen writes {SigningKeyFileName})");

    /// <summary>Writes the TLS private key (PKCS#8 PEM), the certificate (PEM), the signing key (PKCS#8 PEM) and its
    /// public key (PEM) into <paramref name="directory"/>; both private keys get mode 0600. Refuses to replace an
    /// existing key unless <paramref name="overwrite"/>: a lost key means a consortium change.</summary>
    public void Save(string directory, bool overwrite)
    {
        Directory.CreateDirectory(directory);
        var paths = new[] { KeyFileName, CertificateFileName, SigningKeyFileName, SigningPublicKeyFileName }
            .Select(name => Path.Combine(directory, name)).ToArray();
        if (!overwrite && paths.FirstOrDefault(File.Exists) is { } existing)
        {
            throw new IOException($"{existing} already exists (use --force to replace the node's keys)");
        }
        using var key = Certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("identity certificate has no private key");
        WriteOwnerOnly(paths[0], System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
        File.WriteAllText(paths[1], Certificate.ExportCertificatePem());
        WriteOwnerOnly(paths[2], Signer.ExportPem());
        File.WriteAllBytes(paths[3], Signer.ExportPublicKeyPem());
    }

    private static void WriteOwnerOnly(string path, byte[] text)
    {
        // Create the file with mode 0600 before any key byte is written, so the key is never world-readable.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(path, options))
        {
            stream.Write(text);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Signer.Dispose();
    }
}
