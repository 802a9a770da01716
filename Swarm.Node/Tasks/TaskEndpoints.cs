using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Swarm.Node.Security;
using Swarm.Node.Service;

namespace Swarm.Node.Tasks;

/// <summary>
/// The task endpoints of the node's loopback HTTP server (docs/operations.md). Every one needs the node's admin
/// token (<see cref="NodeHttpServer"/> answers 401 before any of them runs), and every POST is recorded in the
/// node's <see cref="AuditLog"/> with who sent it and how it ended.
/// <c>POST /tasks</c> (JSON body <see cref="SubmitTaskBody"/>: the spec's HOCON text) submits from this node: 201 with <see cref="SubmitTaskResult"/>
/// when every participant consented and the task started, 409 with the answers when one refused or did not
/// answer, 400 when the spec is unusable or was not sent (its error says why). <c>GET /tasks</c> →
/// <see cref="TaskList"/>; <c>GET /tasks/{id}</c> → <see cref="TaskInfo"/> or 404; <c>POST /tasks/{id}/cancel</c>
/// (JSON body <see cref="ReasonBody"/>, the reason optional) → the task's <see cref="TaskInfo"/> after its peer's
/// answer, or 404. <c>POST /tasks/{id}/approve</c> and <c>POST /tasks/{id}/reject</c> (<see cref="ReasonBody"/>)
/// decide a task that waits for this node's approval (policy.approval = manual): the task's <see cref="TaskInfo"/>,
/// 404, or 409 when it does not wait. <c>GET /tasks/{id}/similar</c> → <c>SimilarityReport</c> (the other tasks' final
/// models ranked as sources for the task on this node's data, docs/cross-chain.md), 404, or 409 with the reason. A body over <see cref="BodyBytesMax"/> is answered 413.
/// </summary>
public static class TaskEndpoints
{
    /// <summary>Largest request body accepted (a spec is a few hundred bytes).</summary>
    public const int BodyBytesMax = 256 * 1024;

    /// <summary>The audit log's name for a client without the admin token.</summary>
    public const string Anonymous = "anonymous";

    public static void Map(WebApplication app, ClusterNode node, AuditLog audit)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(audit);
        app.MapPost("/tasks", async (HttpContext context, CancellationToken ct) =>
        {
            var read = await ReadJsonAsync<SubmitTaskBody>(context.Request, ct).ConfigureAwait(false);
            if (read.TooLarge)
            {
                return TooLarge(audit, context, "submit", "");
            }
            if (read.Value?.Spec is not { } text)
            {
                var problem = read.Problem ?? "the body has no \"spec\"";
                Audit(audit, context, "submit", "", "invalid", problem);
                return Results.Json(SubmitTaskResult.Rejected("", problem), TaskJson.Options, statusCode: 400);
            }
            var result = await node.SubmitTaskAsync(text, ct).ConfigureAwait(false);
            var (status, outcome) = result.Error is not null ? (400, "invalid") : result.Started ? (201, "started") : (409, "refused");
            var refusals = string.Join("; ", result.Answers.Where(a => !a.Consents).Select(a => $"{a.Node}: {a.Reason}"));
            Audit(audit, context, "submit", result.TaskId, outcome, result.Error ?? (refusals.Length > 0 ? refusals : null));
            return Results.Json(result, TaskJson.Options, statusCode: status);
        });
        app.MapGet("/tasks", async (CancellationToken ct) =>
            Results.Json(await node.ListTasksAsync(ct).ConfigureAwait(false), TaskJson.Options));
        app.MapGet("/tasks/{id}", async (string id, CancellationToken ct) =>
            await node.ShowTaskAsync(id, ct).ConfigureAwait(false) is { } info
                ? Results.Json(info, TaskJson.Options)
                : NotFound(id));
        app.MapGet("/tasks/{id}/similar", async (string id, CancellationToken ct) =>
            await node.SimilarTasksAsync(id, ct).ConfigureAwait(false) switch
            {
                { Report: { } report } => Results.Json(report, TaskJson.Options),
                { Error: { } error } => Results.Json(new TaskError(error), TaskJson.Options, statusCode: 409),
                _ => NotFound(id),
            });
        app.MapPost("/tasks/{id}/cancel", (string id, HttpContext context, CancellationToken ct) =>
            DecideAsync(audit, context, "cancel", id, "cancelled by the operator", (reason, c) => node.CancelTaskAsync(id, reason, c), ct));
        app.MapPost("/tasks/{id}/approve", (string id, HttpContext context, CancellationToken ct) =>
            DecideAsync(audit, context, "approve", id, "", (_, c) => node.ApproveTaskAsync(id, c), ct));
        app.MapPost("/tasks/{id}/reject", (string id, HttpContext context, CancellationToken ct) =>
            DecideAsync(audit, context, "reject", id, "rejected by the operator", (reason, c) => node.RejectTaskAsync(id, reason, c), ct));
        ExportEndpoints.Map(app, node, audit);
    }

    /// <summary>Cancel, approve or reject: reads the optional reason, asks the node, answers and audits the outcome.</summary>
    private static async Task<IResult> DecideAsync(AuditLog audit, HttpContext context, string action, string id, string defaultReason,
        Func<string, CancellationToken, Task<TaskDecision>> decide, CancellationToken ct)
    {
        var read = await ReadJsonAsync<ReasonBody>(context.Request, ct).ConfigureAwait(false);
        if (read.TooLarge)
        {
            return TooLarge(audit, context, action, id);
        }
        if (read.Problem is not null)
        {
            Audit(audit, context, action, id, "invalid", read.Problem);
            return Results.Json(new TaskError(read.Problem), TaskJson.Options, statusCode: 400);
        }
        var reason = read.Value?.Reason is { Length: > 0 } given ? given.Trim() : defaultReason;
        var decision = await decide(reason, ct).ConfigureAwait(false);
        switch (decision)
        {
            case { Info: { } info }:
                Audit(audit, context, action, id, Outcome(info), reason.Length > 0 ? reason : null);
                return Results.Json(info, TaskJson.Options);
            case { Error: { } conflict }:
                Audit(audit, context, action, id, "refused", conflict);
                return Results.Json(new TaskError(conflict), TaskJson.Options, statusCode: 409);
            default:
                Audit(audit, context, action, id, "not-found");
                return NotFound(id);
        }
    }

    /// <summary>The task's state after the operator's request, as the audit log writes outcomes.</summary>
    private static string Outcome(TaskInfo info) => info.Progress.State switch
    {
        Swarm.Tasks.TaskState.AwaitingApproval => "awaiting-approval",
        var state => state.ToString().ToLowerInvariant(),
    };

    private static IResult TooLarge(AuditLog audit, HttpContext context, string action, string id)
    {
        var problem = $"the body is longer than {BodyBytesMax} bytes";
        Audit(audit, context, action, id, "too-large", problem);
        return Results.Json(new TaskError(problem), TaskJson.Options, statusCode: StatusCodes.Status413PayloadTooLarge);
    }

    internal static void Audit(AuditLog audit, HttpContext context, string action, string task, string outcome, string? detail = null) =>
        audit.Record(action, task, Operator(context), outcome, detail, ClientOf(context));

    /// <summary>The holder of the admin token (every request that reaches an endpoint has it), with the local user
    /// that owns the client's socket when the node can see it.</summary>
    private static string Operator(HttpContext context) =>
        LoopbackPeer.UserOf(context.Connection.RemotePort, context.Connection.LocalPort) is { } user ? $"operator ({user})" : "operator";

    /// <summary>The client's address, as the audit log writes it.</summary>
    public static string ClientOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
    }

    private static IResult NotFound(string id) => Results.Json(new TaskError($"no task '{id}' on this node"), TaskJson.Options, statusCode: 404);

    /// <summary>The JSON body of a submission, for clients (the CLI, the simulation).</summary>
    public static HttpContent SubmitContent(string specText) => JsonContent.Create(new SubmitTaskBody(specText), options: TaskJson.Options);

    /// <summary>The JSON body of a cancellation or rejection (the reason optional), or of an approval (none).</summary>
    public static HttpContent ReasonContent(string? reason) => JsonContent.Create(new ReasonBody(reason), options: TaskJson.Options);

    /// <summary>The body as <typeparamref name="T"/> (null for an empty body), or the problem with it, or too large.</summary>
    internal static async Task<(T? Value, string? Problem, bool TooLarge)> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false) is not { } text)
        {
            return (null, null, true);
        }
        if (text.Length == 0)
        {
            return (null, null, false);
        }
        try
        {
            return (JsonSerializer.Deserialize<T>(text, TaskJson.Options), null, false);
        }
        catch (JsonException e)
        {
            return (null, $"the body is not the expected JSON: {e.Message}", false);
        }
    }

    /// <summary>The body as text, or null when it is longer than <see cref="BodyBytesMax"/> (a body without a length
    /// is read up to the limit, never further).</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > BodyBytesMax)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null; // Kestrel's own limit (the same size) stopped the read
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

/// <summary>The body of <c>POST /tasks</c>: the task spec's HOCON text.</summary>
public sealed record SubmitTaskBody(string? Spec);

/// <summary>The body of <c>POST /tasks/{id}/cancel</c>, <c>/reject</c> and <c>/approve</c>: why (optional).</summary>
public sealed record ReasonBody(string? Reason);
