using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Swarm.Node.Identity;

namespace Swarm.Node.Networking;

/// <summary>TLS settings of both ends of a link: TLS 1.3 only, both sides present their certificate, and the
/// consortium pin (not a CA chain) decides. The refusal reason is handed back for the log line.</summary>
internal static class TlsSettings
{
    public static SslServerAuthenticationOptions Server(NodeIdentity identity, Func<Consortium> consortium, Action<string> refused) => new()
    {
        ServerCertificateContext = SslStreamCertificateContext.Create(identity.Certificate, null, offline: true),
        ClientCertificateRequired = true,
        EnabledSslProtocols = SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Check(consortium(), certificate, null, refused),
    };

    public static SslClientAuthenticationOptions Client(NodeIdentity identity, Func<Consortium> consortium, string peerId, Action<string> refused) => new()
    {
        TargetHost = peerId,
        ClientCertificateContext = SslStreamCertificateContext.Create(identity.Certificate, null, offline: true),
        EnabledSslProtocols = SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Check(consortium(), certificate, peerId, refused),
    };

    private static bool Check(Consortium consortium, X509Certificate? certificate, string? expected, Action<string> refused)
    {
        var refusal = PeerAuthenticator.Refusal(consortium, certificate, expected);
        if (refusal is not null)
        {
            refused(refusal);
        }
        return refusal is null;
    }
}
