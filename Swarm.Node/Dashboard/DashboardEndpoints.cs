using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Swarm.Node.Security;
using Swarm.Node.Service;
using Swarm.Node.Tasks;

namespace Swarm.Node.Dashboard;

/// <summary>
/// The operator's dashboard on the node's loopback HTTP server (docs/operations.md, "The dashboard"). The page and
/// its script and style are files embedded in this assembly (<c>Dashboard/Assets</c>; the node has no internet, so
/// nothing comes from a CDN) and hold no data, so they are served to anyone who passes the Host check:
/// <c>GET /</c> redirects to <c>GET /dashboard</c>. The data needs a credential: <c>POST /dashboard/login</c> (JSON
/// <see cref="LoginBody"/>: the admin token) opens a <see cref="DashboardSessions"/> session and answers its key,
/// which the page sends as <c>Authorization: Bearer</c> on <c>GET /dashboard/state</c> (<see cref="DashboardState"/>:
/// this node's <c>/health</c> report and its tasks, polled every second), <c>POST /dashboard/logout</c> and the task
/// endpoints (approve, reject). Every answer forbids framing and inline script (Content-Security-Policy), so another
/// page can neither overlay the buttons nor run code in the dashboard's origin.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>The page's path.</summary>
    public const string PagePath = "/dashboard";

    /// <summary>The login's path (open: it is how a credential is presented).</summary>
    public const string LoginPath = "/dashboard/login";

    private const string ResourcePrefix = "Swarm.Node.Dashboard.";

    private static readonly Dictionary<string, (string Resource, string ContentType)> Assets = new(StringComparer.Ordinal)
    {
        [PagePath] = ("index.html", "text/html; charset=utf-8"),
        [PagePath + "/dashboard.js"] = ("dashboard.js", "text/javascript; charset=utf-8"),
        [PagePath + "/dashboard.css"] = ("dashboard.css", "text/css; charset=utf-8"),
        [PagePath + "/favicon.svg"] = ("favicon.svg", "image/svg+xml"),
    };

    /// <summary>Whether <paramref name="request"/> may pass without a credential: the static files (no data) and the login.</summary>
    public static bool IsOpen(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.Path.Value ?? "";
        return (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && (path is "/" or "/favicon.ico" || Assets.ContainsKey(path))
            || HttpMethods.IsPost(request.Method) && path == LoginPath;
    }

    public static void Map(WebApplication app, ClusterNode node, AdminToken token, DashboardSessions sessions, AuditLog audit)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(audit);
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                + "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            await next(context).ConfigureAwait(false);
        });
        app.MapGet("/", () => Results.Redirect(PagePath));
        // Browsers ask for it by themselves; the page names its icon, so this one is only not an error.
        app.MapGet("/favicon.ico", () => Results.Redirect(PagePath + "/favicon.svg"));
        foreach (var (path, (resource, contentType)) in Assets)
        {
            var bytes = Read(resource);
            app.MapGet(path, () => Results.Bytes(bytes, contentType));
        }
        app.MapPost(LoginPath, async (HttpContext context, CancellationToken ct) =>
        {
            LoginBody? body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<LoginBody>(context.Request.Body, TaskJson.Options, ct).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                body = null;
            }
            if (!token.Matches(body?.Token?.Trim()))
            {
                audit.Record("login", "", TaskEndpoints.Anonymous, "denied", "the dashboard login's token is not the admin token", TaskEndpoints.ClientOf(context));
                return Results.Json(new TaskError($"that is not this node's admin token (the token is in {AdminToken.FileName} in the node's data directory)"),
                    TaskJson.Options, statusCode: StatusCodes.Status401Unauthorized);
            }
            audit.Record("login", "", "operator", "ok", "dashboard session opened", TaskEndpoints.ClientOf(context));
            return Results.Json(new LoginResult(sessions.Open(), (int)DashboardSessions.IdleTimeout.TotalSeconds), TaskJson.Options);
        });
        app.MapPost(PagePath + "/logout", (HttpContext context) =>
        {
            sessions.Close(BearerOf(context.Request));
            return Results.NoContent();
        });
        app.MapGet(PagePath + "/state", async (CancellationToken ct) =>
        {
            var health = await node.HealthAsync(ct).ConfigureAwait(false);
            var tasks = await node.ListTasksAsync(ct).ConfigureAwait(false);
            return Results.Json(new DashboardState(health, tasks.Tasks), TaskJson.Options);
        });
    }

    /// <summary>The credential in <c>Authorization: Bearer</c>, or null.</summary>
    public static string? BearerOf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Scheme = "Bearer ";
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
    }

    private static byte[] Read(string resource)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream(ResourcePrefix + resource)
            ?? throw new InvalidOperationException($"the dashboard's file {resource} is not embedded in the node's assembly (Swarm.Node.csproj)");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>The body of <c>POST /dashboard/login</c>: the node's admin token.</summary>
public sealed record LoginBody(string? Token);

/// <summary>The answer to a login: the session's key and how long it lives unused.</summary>
public sealed record LoginResult(string Session, int IdleTimeoutSeconds);

/// <summary>What the dashboard draws: this node's <c>/health</c> report (members and their cluster status) and its tasks with their progress.</summary>
public sealed record DashboardState(HealthReport Health, IReadOnlyList<TaskInfo> Tasks);
