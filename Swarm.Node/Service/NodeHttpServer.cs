using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Swarm.Node.Dashboard;
using Swarm.Node.Identity;
using Swarm.Node.Security;
using Swarm.Node.Tasks;

namespace Swarm.Node.Service;

/// <summary>The node's HTTP endpoint on loopback only (operators and scrapers on the same machine): <c>GET /health</c>
/// returns <see cref="HealthReport"/> as JSON, <c>GET /metrics</c> the Prometheus text, and the task endpoints
/// (<see cref="TaskEndpoints"/>) submit, list, show, approve, reject and cancel tasks. Kestrel with minimal APIs.
/// Guards run before any endpoint, in this order: the Host header must name loopback (a page whose DNS name was
/// rebound to 127.0.0.1 sends its own name and is refused, 403); every request other than <c>GET /health</c> and
/// <c>GET /metrics</c> must carry the node's admin token (<see cref="AdminToken"/>) as <c>Authorization: Bearer</c>
/// (401 otherwise: any local user or process could reach loopback, only the node's user can read the token); a
/// POST must carry JSON (a cross-site form or <c>fetch</c> can send plain text to loopback without a CORS preflight,
/// never JSON; 415); and a declared body longer than <see cref="TaskEndpoints.BodyBytesMax"/> is refused unread
/// (413; a chunked one is cut off at the limit with the same answer). The dashboard (<see cref="DashboardEndpoints"/>)
/// is served here too: its static files and its login pass without a credential, and a dashboard session's key
/// is accepted wherever the admin token is.</summary>
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

    public static async Task<NodeHttpServer> StartAsync(int port, ClusterNode node, AdminToken token, AuditLog audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(audit);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "swarm" });
        // Request logs would drown the node's own; failures to serve are visible to the client.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            // Kestrel counts a chunked body's framing (the size lines) against its limit, so with the limit at
            // BodyBytesMax a chunked body a few hundred bytes under it was refused. The endpoints count the body's
            // own bytes (TaskEndpoints.ReadBodyAsync); Kestrel's limit stays a backstop with room for the framing of
            // chunks down to 64 bytes.
            kestrel.Limits.MaxRequestBodySize = TaskEndpoints.BodyBytesMax + TaskEndpoints.BodyBytesMax / 8;
        });
        var app = builder.Build();
        var sessions = new DashboardSessions(TimeProvider.System);
        app.Use(async (context, next) =>
        {
            if (Refusal(context.Request, token, sessions) is { } refusal)
            {
                if (refusal.Status == StatusCodes.Status401Unauthorized)
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer realm=\"swarm node\"";
                }
                AuditRefusal(audit, context, refusal);
                context.Response.StatusCode = refusal.Status;
                await context.Response.WriteAsJsonAsync(new TaskError(refusal.Reason), TaskJson.Options, context.RequestAborted).ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        });
        app.MapGet("/health", async (CancellationToken ct) => Results.Json(await node.HealthAsync(ct).ConfigureAwait(false)));
        // Liveness: the process serves HTTP. Readiness: what the node needs to serve (503 naming what is missing).
        app.MapGet("/health/live", () => Results.Json(new { status = "live" }));
        app.MapGet("/health/ready", async (CancellationToken ct) =>
        {
            var report = await node.ReadinessAsync(ct).ConfigureAwait(false);
            return Results.Json(report, statusCode: report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/metrics", async (CancellationToken ct) =>
            Results.Text(await node.MetricsAsync(ct).ConfigureAwait(false), NodeMetrics.ContentType));
        app.MapPost("/admin/consortium/reload", (HttpContext context) => ReloadConsortium(node, audit, context));
        TaskEndpoints.Map(app, node, audit);
        DashboardEndpoints.Map(app, node, token, sessions, audit);
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

    /// <summary><c>POST /admin/consortium/reload</c> (admin token): what <c>SIGHUP</c> does, for hosts where signals are
    /// awkward (containers, Windows); 200 with the change, 409 with the reason when the file was refused.</summary>
    private static IResult ReloadConsortium(ClusterNode node, AuditLog audit, HttpContext context)
    {
        ConsortiumReload reload;
        try
        {
            reload = node.ReloadConsortium();
        }
        catch (InvalidOperationException e)
        {
            return Results.Json(new TaskError(e.Message), TaskJson.Options, statusCode: StatusCodes.Status409Conflict);
        }
        audit.Record("consortium-reload", "", "operator", reload.Applied ? "applied" : "refused", reload.Applied ? reload.Summary : reload.Problem,
            TaskEndpoints.ClientOf(context));
        var body = new ConsortiumReloadResult(reload.Applied, reload.Before.VersionLabel, reload.After.VersionLabel, reload.Added, reload.Removed,
            reload.Changed, reload.Problem);
        return Results.Json(body, TaskJson.Options, statusCode: reload.Applied ? StatusCodes.Status200OK : StatusCodes.Status409Conflict);
    }

    /// <summary>Why a request is refused before it reaches an endpoint, or null.</summary>
    internal static (int Status, string Reason)? Refusal(HttpRequest request, AdminToken token, DashboardSessions sessions)
    {
        var host = request.Host.Host;
        if (!request.Host.HasValue || !(host is "127.0.0.1" or "localhost" or "[::1]" or "::1"))
        {
            return (StatusCodes.Status403Forbidden, $"Host '{request.Host.Value}' is not this node's loopback address");
        }
        if (!IsOpen(request) && !DashboardEndpoints.IsOpen(request) && AuthenticationProblem(request, token, sessions) is { } unauthenticated)
        {
            return (StatusCodes.Status401Unauthorized, unauthenticated);
        }
        if (HttpMethods.IsPost(request.Method) && !IsJson(request.ContentType))
        {
            return (StatusCodes.Status415UnsupportedMediaType, $"a POST must be application/json, not '{request.ContentType}'");
        }
        if (request.ContentLength > TaskEndpoints.BodyBytesMax)
        {
            return (StatusCodes.Status413PayloadTooLarge, $"the body is {request.ContentLength} bytes; at most {TaskEndpoints.BodyBytesMax} are accepted");
        }
        return null;
    }

    /// <summary>Records a POST refused for want of the token (401) or for its size (413); reads and the other guards'
    /// refusals (a foreign Host, a wrong media type) are not actions on the node's tasks.</summary>
    private static void AuditRefusal(AuditLog audit, HttpContext context, (int Status, string Reason) refusal)
    {
        var outcome = refusal.Status switch
        {
            StatusCodes.Status401Unauthorized when HttpMethods.IsPost(context.Request.Method) => (Actor: TaskEndpoints.Anonymous, Outcome: "denied"),
            StatusCodes.Status413PayloadTooLarge => (Actor: "operator", Outcome: "too-large"),
            _ => default,
        };
        if (outcome.Outcome is not null)
        {
            audit.Record("request", context.Request.Path.Value ?? "", outcome.Actor, outcome.Outcome, refusal.Reason, TaskEndpoints.ClientOf(context));
        }
    }

    /// <summary>Read-only health and metrics stay open on loopback (scrapers and <c>swarm status</c> have no token).</summary>
    private static bool IsOpen(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && (request.Path.Equals("/health", StringComparison.Ordinal) || request.Path.Equals("/health/live", StringComparison.Ordinal)
            || request.Path.Equals("/health/ready", StringComparison.Ordinal) || request.Path.Equals("/metrics", StringComparison.Ordinal));

    /// <summary>Why the request's credentials are neither the admin token nor a live dashboard session's key, or null
    /// when they are. The answer never repeats what was sent.</summary>
    private static string? AuthenticationProblem(HttpRequest request, AdminToken token, DashboardSessions sessions)
    {
        const string Scheme = "Bearer ";
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return $"this request needs the node's admin token (Authorization: Bearer, the token in {AdminToken.FileName} in the node's data directory; swarm task sends it)";
        }
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return "the Authorization header must be 'Bearer <admin token>'";
        }
        var presented = header[Scheme.Length..].Trim();
        return token.Matches(presented) || sessions.Matches(presented) ? null : "the admin token is wrong (is it the token of this node?) or the dashboard session has ended";
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
