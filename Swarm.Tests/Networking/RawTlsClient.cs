using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Swarm.Node.Identity;

namespace Swarm.Tests.Networking;

/// <summary>A hand-driven TLS client with a node's certificate: it writes whatever bytes a test wants.</summary>
public static class RawTlsClient
{
    public static async Task<SslStream> ConnectAsync(IPEndPoint server, NodeIdentity identity, SslProtocols protocols = SslProtocols.Tls13)
    {
        var client = new TcpClient();
        await client.ConnectAsync(server);
        var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "peer",
            ClientCertificateContext = SslStreamCertificateContext.Create(identity.Certificate, null, offline: true),
            EnabledSslProtocols = protocols,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        return ssl;
    }
}
