using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Swarm.Actors.Consensus;
using Swarm.Node.Configuration;
using Swarm.Node.Identity;

namespace Swarm.Node.Service;

/// <summary>Loads the node's TLS key and certificate from <c>tls.cert-path</c> and <c>tls.key-path</c> and its signing
/// key from <c>node.signing-key-path</c>, and checks them against the consortium: the certificate's CN is
/// <c>node.id</c>, its key is the one pinned for the node, and the signing key is the one listed for it.</summary>
public static class IdentityLoader
{
    public static NodeIdentity Load(TlsSettings tls, NodeIdentitySettings node, Consortium consortium)
    {
        var nodeId = node.Id;
        if (tls.CertPath.Length == 0)
        {
            throw new NodeStartException("a node in a consortium needs tls.cert-path and tls.key-path (create them with: swarm keygen --out DIR --node-id "
                + nodeId + ")");
        }
        if (node.SigningKeyPath.Length == 0)
        {
            throw new NodeStartException("a node in a consortium needs node.signing-key-path (swarm keygen writes it as "
                + NodeIdentity.SigningKeyFileName + " next to node.key)");
        }
        Security.OwnerOnly.CheckKeyFile(tls.KeyPath, "tls.key-path");
        Security.OwnerOnly.CheckKeyFile(node.SigningKeyPath, "node.signing-key-path");
        X509Certificate2 certificate;
        Ed25519Signer signer;
        try
        {
            var certPem = File.ReadAllText(tls.CertPath);
            var keyPem = File.ReadAllText(tls.KeyPath);
            certificate = tls.KeyPassword.Length > 0
                ? X509Certificate2.CreateFromEncryptedPem(certPem, keyPem, tls.KeyPassword)
                : X509Certificate2.CreateFromPem(certPem, keyPem);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeStartException($"cannot read the node's TLS files: {e.Message}", e);
        }
        catch (CryptographicException e)
        {
            throw new NodeStartException($"tls.cert-path '{tls.CertPath}' and tls.key-path '{tls.KeyPath}' are not a PEM certificate and its matching key: {e.Message}", e);
        }
        try
        {
            signer = NodeIdentity.LoadSigner(node.SigningKeyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            certificate.Dispose();
            throw new NodeStartException($"node.signing-key-path: {e.Message}", e);
        }
        var identity = new NodeIdentity(nodeId, certificate, signer);
        if (Mismatch(identity, tls, node, consortium) is { } problem)
        {
            identity.Dispose();
            throw new NodeStartException(problem);
        }
        return identity;
    }

    private static string? Mismatch(NodeIdentity identity, TlsSettings tls, NodeIdentitySettings node, Consortium consortium)
    {
        var certificate = identity.Certificate;
        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, false);
        if (commonName != node.Id)
        {
            return $"the certificate '{tls.CertPath}' belongs to node '{commonName}', not to node.id '{node.Id}'";
        }
        if (Networking.PeerAuthenticator.ValidityProblem(certificate, DateTime.UtcNow) is { } validity)
        {
            return $"the node's {validity} ('{tls.CertPath}'): peers refuse it; create a new key and certificate with swarm keygen and pin it " +
                "on every member with swarm consortium rotate (docs/operations.md, key rotation)";
        }
        // The caller checked that the node is a member; a key that differs from its entry would only show up
        // later as every peer refusing the node, so say it here.
        var member = consortium.Find(node.Id)!;
        if (identity.Fingerprint != member.Fingerprint)
        {
            return $"the key of '{tls.CertPath}' has fingerprint {identity.Fingerprint}, but consortium '{consortium.Name}' pins {member.Fingerprint} for node '{node.Id}'";
        }
        var signingKey = MemberKeys.Of(identity.Signer);
        return signingKey == member.SigningKey ? null
            : $"the key in node.signing-key-path '{node.SigningKeyPath}' has public key {signingKey}, but consortium '{consortium.Name}' lists signing-key {member.SigningKey} for node '{node.Id}'";
    }
}
