using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Swarm.Node.Identity;

/// <summary>A node's identity: its id, its ECDSA P-256 key and the self-signed certificate (CN = node id) it
/// presents on every TLS link. There is no certificate authority: peers pin the key fingerprint instead.</summary>
public sealed class NodeIdentity : IDisposable
{
    public const string KeyFileName = "node.key";
    public const string CertificateFileName = "node.crt";

    public NodeIdentity(string nodeId, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        NodeId = nodeId;
        Certificate = certificate;
        Fingerprint = Identity.Fingerprint.Of(certificate);
    }

    public string NodeId { get; }

    /// <summary>The certificate together with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public string Fingerprint { get; }

    /// <summary>The private key for envelope signatures (a new handle each call; the caller disposes it).</summary>
    public ECDsa GetSigningKey() =>
        Certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("identity certificate has no private key");

    /// <summary>Creates a fresh key and a self-signed certificate usable for TLS client and server authentication.</summary>
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
        return FromPem(nodeId, selfSigned.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Loads <c>node.key</c> and <c>node.crt</c> from <paramref name="directory"/>; the node id is the CN.</summary>
    public static NodeIdentity Load(string directory)
    {
        var certPem = File.ReadAllText(Path.Combine(directory, CertificateFileName));
        var keyPem = File.ReadAllText(Path.Combine(directory, KeyFileName));
        using var probe = X509Certificate2.CreateFromPem(certPem);
        var nodeId = probe.GetNameInfo(X509NameType.SimpleName, false);
        return FromPem(nodeId, certPem, keyPem);
    }

    private static NodeIdentity FromPem(string nodeId, string certPem, string keyPem) =>
        new(nodeId, X509Certificate2.CreateFromPem(certPem, keyPem));

    /// <summary>Writes the private key (PKCS#8 PEM, mode 0600) and the certificate (PEM) into <paramref name="directory"/>.
    /// Refuses to replace an existing key unless <paramref name="overwrite"/>: a lost key means a consortium change.</summary>
    public void Save(string directory, bool overwrite)
    {
        Directory.CreateDirectory(directory);
        var keyPath = Path.Combine(directory, KeyFileName);
        var certPath = Path.Combine(directory, CertificateFileName);
        if (!overwrite && (File.Exists(keyPath) || File.Exists(certPath)))
        {
            throw new IOException($"{keyPath} or {certPath} already exists (use --force to replace the node's key)");
        }
        using var key = GetSigningKey();
        WriteOwnerOnly(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, Certificate.ExportCertificatePem());
    }

    private static void WriteOwnerOnly(string path, string text)
    {
        // Create the file with mode 0600 before any key byte is written, so the key is never world-readable.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public void Dispose() => Certificate.Dispose();
}
