using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Swarm.Node.Configuration;
using Swarm.Node.Identity;

namespace Swarm.Node.Service;

/// <summary>Loads the node's key and certificate from <c>tls.cert-path</c> and <c>tls.key-path</c> and checks that
/// the certificate is this node's (its CN is <c>node.id</c>).</summary>
public static class IdentityLoader
{
    public static NodeIdentity Load(TlsSettings tls, string nodeId)
    {
        if (tls.CertPath.Length == 0)
        {
            throw new NodeStartException("a node in a consortium needs tls.cert-path and tls.key-path (create them with: swarm keygen --out DIR --node-id "
                + nodeId + ")");
        }
        X509Certificate2 certificate;
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
        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, false);
        if (commonName != nodeId)
        {
            certificate.Dispose();
            throw new NodeStartException($"the certificate '{tls.CertPath}' belongs to node '{commonName}', not to node.id '{nodeId}'");
        }
        return new NodeIdentity(nodeId, certificate);
    }
}
