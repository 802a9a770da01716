using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Swarm.Node.Tasks;

namespace Swarm.Node.Service;

/// <summary>The node's HTTP endpoint on loopback only (operators and scrapers on the same machine): <c>GET /health</c>
/// returns <see cref="HealthReport"/> as JSON, <c>GET /metrics</c> the Prometheus text, and the task endpoints
/// (<see cref="TaskEndpoints"/>) submit, list, show and cancel tasks. Kestrel with minimal APIs.</summary>
public sealed class NodeHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private NodeHttpServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where it listens, e.g. http://127.0.0.1:7480 (the real port when 0 was asked for).</summary>
    public Uri Address { get; }

    public static async Task<NodeHttpServer> StartAsync(int port, ClusterNode node, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "swarm" });
        // Request logs would drown the node's own; failures to serve are visible to the client.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/health", async (CancellationToken ct) => Results.Json(await node.HealthAsync(ct).ConfigureAwait(false)));
        app.MapGet("/metrics", async (CancellationToken ct) =>
            Results.Text(await node.MetricsAsync(ct).ConfigureAwait(false), PrometheusText.ContentType));
        TaskEndpoints.Map(app, node);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new NodeStartException($"cannot listen for HTTP on 127.0.0.1:{port} (http.port): {e.Message}", e);
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new NodeHttpServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
