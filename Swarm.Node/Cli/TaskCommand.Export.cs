using System.CommandLine;
using System.Net.Http.Json;
using Swarm.Actors.Tasks;
using Swarm.Node.Tasks;

namespace Swarm.Node.Cli;

/// <summary><c>swarm task export-grant &lt;task&gt; --grant ID [--to CHAIN|*] [--model HASH|*] [--layers a,b] [--withdraw]</c>:
/// this node's site of the task states an export grant (or withdraws it) on the task's chain (docs/cross-chain.md).
/// A grant is in force once a quorum of the chain's sites stated it with one scope, so that many operators each run it
/// against their own node. It prints the chain id and genesis hash that an importing spec's transfer section names.</summary>
public static partial class TaskCommand
{
    private static Command CreateExportGrant()
    {
        var command = new Command("export-grant", "State on a task's chain that its models may be imported by another task (a quorum of its sites must).");
        var id = new Argument<string>("id") { Description = "The exporting task's id." };
        var grant = new Option<string>("--grant") { Description = "The grant's id (the importing spec names it as transfer.grant).", Required = true };
        var importer = new Option<string?>("--importer") { Description = "The importing task's chain id (task/<id>/<16 hex digits>), or * for any (default)." };
        var model = new Option<string?>("--model") { Description = "A model hash the chain finalized, or * for every model (default)." };
        var layers = new Option<string?>("--layers") { Description = "Comma-separated parameter-name prefixes that may leave (default: all), e.g. conv,fc1." };
        var withdraw = new Option<bool>("--withdraw") { Description = "Withdraw this site's statement of the grant instead." };
        command.Arguments.Add(id);
        command.Options.Add(grant);
        command.Options.Add(importer);
        command.Options.Add(model);
        command.Options.Add(layers);
        command.Options.Add(withdraw);
        var target = TargetOptions(command);
        command.SetAction(async (parse, ct) =>
        {
            var (api, code) = target(parse, "export-grant");
            var body = new ExportGrantBody(parse.GetValue(grant), parse.GetValue(importer), parse.GetValue(model),
                parse.GetValue(layers)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), parse.GetValue(withdraw));
            return api is null ? code : await ExportGrantAsync(api, parse.GetValue(id)!, body, Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>POST /tasks/{id}/export-grants and prints what an importing spec names.</summary>
    public static async Task<int> ExportGrantAsync(NodeApi api, string taskId, ExportGrantBody body, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(body);
        if (ExportEndpoints.Problem(body) is { } problem)
        {
            error.WriteLine($"swarm task export-grant: {problem}");
            return 2;
        }
        var reply = await SendAsync<ExportGranted>(api, "export-grant", RequestTimeout, error,
            http => http.PostAsync(new Uri(api.Endpoint, $"/tasks/{Uri.EscapeDataString(taskId)}/export-grants"),
                JsonContent.Create(body, options: TaskJson.Options), cancellationToken)).ConfigureAwait(false);
        if (reply.Value is { } granted)
        {
            output.WriteLine($"{(body.Withdraw ? "withdrawal" : "grant")} '{body.Grant}' submitted to the chain of task {granted.TaskId}");
            output.WriteLine($"transfer {{ source = \"{granted.ChainId}\", genesis = \"{granted.GenesisHash}\", grant = \"{body.Grant}\" }}");
        }
        return reply.ExitCode;
    }
}
