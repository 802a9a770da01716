using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Swarm.Node.Security;
using Swarm.Node.Service;
using Swarm.Tasks.CrossChain;

namespace Swarm.Node.Tasks;

/// <summary><c>POST /tasks/{id}/export-grants</c>: this node's site of a task states an export grant (or withdraws it) on
/// the task's chain (docs/cross-chain.md). A grant is in force once a quorum of the chain's sites stated it with one
/// scope, so the operators of that many nodes each ask their own node. The answer names the chain id and genesis hash
/// an importing spec puts in its transfer section.</summary>
public static class ExportEndpoints
{
    public static void Map(WebApplication app, ClusterNode node, AuditLog audit)
    {
        app.MapPost("/tasks/{id}/export-grants", async (string id, HttpContext context, CancellationToken ct) =>
        {
            var read = await TaskEndpoints.ReadJsonAsync<ExportGrantBody>(context.Request, ct).ConfigureAwait(false);
            var body = read.Value;
            var problem = read.TooLarge ? $"the body is longer than {TaskEndpoints.BodyBytesMax} bytes" : read.Problem ?? (body is null ? "the body is empty" : Problem(body));
            if (problem is not null)
            {
                TaskEndpoints.Audit(audit, context, "export-grant", id, "invalid", problem);
                return Results.Json(new TaskError(problem), TaskJson.Options, statusCode: 400);
            }
            var scope = new ExportScope(body!.To ?? ExportScope.AnyChain, body.Model ?? ExportScope.AnyModel, body.Layers is { Count: > 0 } l ? l : [ExportScope.AllLayers]);
            var granted = await node.GrantExportAsync(id, body.Grant!, !body.Withdraw, scope, ct).ConfigureAwait(false);
            if (granted is null)
            {
                TaskEndpoints.Audit(audit, context, "export-grant", id, "not-found");
                return Results.Json(new TaskError($"no task '{id}' on this node"), TaskJson.Options, statusCode: 404);
            }
            TaskEndpoints.Audit(audit, context, "export-grant", id, granted.Error is null ? (body.Withdraw ? "withdrawn" : "granted") : "refused",
                granted.Error ?? $"{body.Grant}: {scope.Describe()}");
            return granted.Error is null ? Results.Json(granted, TaskJson.Options) : Results.Json(new TaskError(granted.Error), TaskJson.Options, statusCode: 409);
        });
    }

    /// <summary>What is wrong with a grant body, or null.</summary>
    public static string? Problem(ExportGrantBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Grant is not { Length: > 0 and <= ExportPolicyRequest.GrantIdBytesMax })
        {
            return $"\"grant\" must name the grant (1-{ExportPolicyRequest.GrantIdBytesMax} characters)";
        }
        if (body.To is { } to && to != ExportScope.AnyChain && Swarm.Tasks.TransferSpec.TaskIdOf(to) is null)
        {
            return $"\"to\" '{to}' must be an importing task's chain id (task/<id>/<16 hex digits>) or *";
        }
        if (body.Model is { } model && model != ExportScope.AnyModel && !(model.Length == 64 && model.All(char.IsAsciiHexDigitLower)))
        {
            return $"\"model\" '{model}' must be a model hash (64 lower-case hex digits) or *";
        }
        if (body.Layers is { } layers && (layers.Count > ExportPolicyRequest.LayersMax || layers.Any(l => l.Length is 0 or > 256)))
        {
            return $"\"layers\" must hold at most {ExportPolicyRequest.LayersMax} non-empty parameter-name prefixes";
        }
        return null;
    }
}

/// <summary>The body of <c>POST /tasks/{id}/export-grants</c>: the grant's id, the importing chain (<c>*</c>: any), the
/// model hash (<c>*</c>: any the chain finalizes), the layers (parameter-name prefixes; empty: all), or a withdrawal.</summary>
public sealed record ExportGrantBody(string? Grant, string? To = null, string? Model = null, IReadOnlyList<string>? Layers = null, bool Withdraw = false);
