using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Swarm.Node.Service;

namespace Swarm.Node.Tasks;

/// <summary>
/// The task endpoints of the node's loopback HTTP server (docs/operations.md):
/// <c>POST /tasks</c> (JSON body <see cref="SubmitTaskBody"/>: the spec's HOCON text) submits from this node: 201 with <see cref="SubmitTaskResult"/>
/// when every participant consented and the task started, 409 with the answers when one refused or did not
/// answer, 400 when the spec is unusable or was not sent (its error says why). <c>GET /tasks</c> →
/// <see cref="TaskList"/>; <c>GET /tasks/{id}</c> → <see cref="TaskInfo"/> or 404; <c>POST /tasks/{id}/cancel</c>
/// (JSON body <see cref="CancelTaskBody"/>, the reason optional) → the task's <see cref="TaskInfo"/> after its peer's
/// answer, or 404. Every POST must be <c>application/json</c> (<see cref="NodeHttpServer"/> answers 415 otherwise):
/// a web page can post plain text to loopback without asking, but not JSON.
/// </summary>
public static class TaskEndpoints
{
    /// <summary>Largest spec text accepted (a spec is a few hundred bytes).</summary>
    public const int BodyBytesMax = 256 * 1024;

    public static void Map(WebApplication app, ClusterNode node)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/tasks", async (HttpRequest request, CancellationToken ct) =>
        {
            var (body, problem) = await ReadJsonAsync<SubmitTaskBody>(request, ct).ConfigureAwait(false);
            if (body?.Spec is not { } text)
            {
                return Results.Json(SubmitTaskResult.Rejected("", problem ?? "the body has no \"spec\""), TaskJson.Options, statusCode: 400);
            }
            var result = await node.SubmitTaskAsync(text, ct).ConfigureAwait(false);
            var status = result.Error is not null ? 400 : result.Started ? 201 : 409;
            return Results.Json(result, TaskJson.Options, statusCode: status);
        });
        app.MapGet("/tasks", async (CancellationToken ct) =>
            Results.Json(await node.ListTasksAsync(ct).ConfigureAwait(false), TaskJson.Options));
        app.MapGet("/tasks/{id}", async (string id, CancellationToken ct) =>
            await node.ShowTaskAsync(id, ct).ConfigureAwait(false) is { } info
                ? Results.Json(info, TaskJson.Options)
                : NotFound(id));
        app.MapPost("/tasks/{id}/cancel", async (string id, HttpRequest request, CancellationToken ct) =>
        {
            var (body, problem) = await ReadJsonAsync<CancelTaskBody>(request, ct).ConfigureAwait(false);
            if (problem is not null)
            {
                return Results.Json(new TaskError(problem), TaskJson.Options, statusCode: 400);
            }
            var reason = body?.Reason is { Length: > 0 } given ? given.Trim() : "cancelled by the operator";
            return await node.CancelTaskAsync(id, reason, ct).ConfigureAwait(false) is { } info
                ? Results.Json(info, TaskJson.Options)
                : NotFound(id);
        });
    }

    private static IResult NotFound(string id) => Results.Json(new TaskError($"no task '{id}' on this node"), TaskJson.Options, statusCode: 404);

    /// <summary>The JSON body of a submission, for clients (the CLI, the simulation).</summary>
    public static HttpContent SubmitContent(string specText) => JsonContent.Create(new SubmitTaskBody(specText), options: TaskJson.Options);

    /// <summary>The JSON body of a cancellation.</summary>
    public static HttpContent CancelContent(string? reason) => JsonContent.Create(new CancelTaskBody(reason), options: TaskJson.Options);

    /// <summary>The body as <typeparamref name="T"/> (null for an empty body), or the problem with it.</summary>
    private static async Task<(T? Value, string? Problem)> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false) is not { } text)
        {
            return (null, $"the body is longer than {BodyBytesMax} bytes");
        }
        if (text.Length == 0)
        {
            return (null, null);
        }
        try
        {
            return (JsonSerializer.Deserialize<T>(text, TaskJson.Options), null);
        }
        catch (JsonException e)
        {
            return (null, $"the body is not the expected JSON: {e.Message}");
        }
    }

    /// <summary>The body as text, or null when it is longer than <see cref="BodyBytesMax"/>.</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > BodyBytesMax)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

/// <summary>The body of <c>POST /tasks</c>: the task spec's HOCON text.</summary>
public sealed record SubmitTaskBody(string? Spec);

/// <summary>The body of <c>POST /tasks/{id}/cancel</c>: why (optional).</summary>
public sealed record CancelTaskBody(string? Reason);
