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
/// (<see cref="TaskEndpoints"/>) submit, list, show and cancel tasks. Kestrel with minimal APIs. Two guards run
/// before any endpoint: the Host header must name loopback (a page whose DNS name was rebound to 127.0.0.1 sends
/// its own name and is refused, 403), and a POST must carry JSON (a cross-site form or <c>fetch</c> can send
/// plain text to loopback without a CORS preflight, never JSON; 415).</summary>
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
        app.Use(async (context, next) =>
        {
            if (Refusal(context.Request) is { } refusal)
            {
                context.Response.StatusCode = refusal.Status;
                await context.Response.WriteAsJsonAsync(new TaskError(refusal.Reason), TaskJson.Options, context.RequestAborted).ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        });
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

    /// <summary>Why a request is refused before it reaches an endpoint, or null.</summary>
    internal static (int Status, string Reason)? Refusal(HttpRequest request)
    {
        var host = request.Host.Host;
        if (!request.Host.HasValue || !(host is "127.0.0.1" or "localhost" or "[::1]" or "::1"))
        {
            return (StatusCodes.Status403Forbidden, $"Host '{request.Host.Value}' is not this node's loopback address");
        }
        if (HttpMethods.IsPost(request.Method) && !IsJson(request.ContentType))
        {
            return (StatusCodes.Status415UnsupportedMediaType, $"a POST must be application/json, not '{request.ContentType}'");
        }
        return null;
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
