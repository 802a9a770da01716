using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Swarm.Node.Service;

namespace Swarm.Node.Tasks;

/// <summary>
/// The task endpoints of the node's loopback HTTP server (docs/operations.md):
/// <c>POST /tasks</c> (body: the spec's HOCON text) submits from this node: 201 with <see cref="SubmitTaskResult"/>
/// when every participant consented and the task started, 409 with the answers when one refused or did not
/// answer, 400 when the spec is unusable or was not sent (its error says why). <c>GET /tasks</c> →
/// <see cref="TaskList"/>; <c>GET /tasks/{id}</c> → <see cref="TaskInfo"/> or 404; <c>POST /tasks/{id}/cancel</c>
/// (optional body: the reason) → the task's <see cref="TaskInfo"/> after its peer's answer, or 404.
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
            var text = await ReadBodyAsync(request, ct).ConfigureAwait(false);
            if (text is null)
            {
                return Results.Json(SubmitTaskResult.Rejected("", $"the spec is longer than {BodyBytesMax} bytes"), TaskJson.Options, statusCode: 400);
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
            var reason = await ReadBodyAsync(request, ct).ConfigureAwait(false) is { Length: > 0 } body ? body.Trim() : "cancelled by the operator";
            return await node.CancelTaskAsync(id, reason, ct).ConfigureAwait(false) is { } info
                ? Results.Json(info, TaskJson.Options)
                : NotFound(id);
        });
    }

    private static IResult NotFound(string id) => Results.Json(new TaskError($"no task '{id}' on this node"), TaskJson.Options, statusCode: 404);

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
