using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Swarm.Node.Configuration;
using Swarm.Node.Configuration.Hocon;
using Swarm.Node.CrossChain;
using Swarm.Node.Security;
using Swarm.Node.Tasks;

namespace Swarm.Node.Cli;

/// <summary><c>swarm task submit|list|show|approve|reject|cancel</c>: talks to a running node's task endpoints
/// (<see cref="TaskEndpoints"/>). <c>--to</c> names the node: its HTTP address (http://127.0.0.1:7480) or its
/// configuration file (reached on its http.port); without it, the default http.port. Every request carries the
/// node's admin token (<see cref="AdminToken"/>): from <c>--token-file</c>, or else the <c>admin.token</c> in the
/// node.data-dir of the <c>--to</c> configuration (of the defaults and the environment when <c>--to</c> is an
/// address or absent). Exit codes: 0 done (submit: every participant consented and the task started), 1 refused,
/// not found, no node answers, or no usable token, 2 usage, 3 the spec file or node configuration is invalid.</summary>
public static partial class TaskCommand
{
    /// <summary>A submit waits for every participant's answer: at most the node's tasks.consent-timeout (≤ 5 min).</summary>
    private static readonly TimeSpan SubmitTimeout = TimeSpan.FromMinutes(6);

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Scoring loads the task's data and runs every candidate model over it.</summary>
    private static readonly TimeSpan SimilarTimeout = TimeSpan.FromMinutes(5);

    public static Command Create()
    {
        var command = new Command("task", "Submit, list, show and cancel training tasks on a running node.");
        command.Subcommands.Add(CreateSubmit());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateSimilar());
        command.Subcommands.Add(CreateDecision("approve", "Approve a task that waits for this node's approval (policy.approval = manual).", withReason: false));
        command.Subcommands.Add(CreateDecision("reject", "Reject a task that waits for this node's approval; the submitter gets the reason.", withReason: true));
        command.Subcommands.Add(CreateCancel());
        command.Subcommands.Add(CreateExportGrant());
        return command;
    }

    private static Option<string?> TokenFileOption() => new("--token-file")
    {
        Description = "The node's admin token file (default: admin.token in the node.data-dir of --to's configuration).",
    };

    /// <summary>Adds --to and --token-file to <paramref name="command"/>; the returned function reads both into the
    /// node's address and token, or an exit code (the problem is written).</summary>
    private static Func<ParseResult, string, (NodeApi? Api, int ExitCode)> TargetOptions(Command command)
    {
        var to = ToOption();
        var tokenFile = TokenFileOption();
        command.Options.Add(to);
        command.Options.Add(tokenFile);
        return (parse, verb) => Target(parse.GetValue(to), parse.GetValue(tokenFile), verb, Console.Error);
    }

    private static Option<string?> ToOption() => new("--to")
    {
        Description = "The node: its HTTP address (http://127.0.0.1:7480) or its HOCON configuration file.",
    };

    private static Command CreateSubmit()
    {
        var command = new Command("submit", "Send a task spec (HOCON) to the participants through a node; prints each participant's answer.");
        var spec = new Argument<string>("spec") { Description = "The task spec file (examples/tasks/pneumonia-4.conf)." };
        command.Arguments.Add(spec);
        var target = TargetOptions(command);
        command.SetAction(async (parse, ct) =>
        {
            var (api, code) = target(parse, "submit");
            return api is null ? code : await SubmitAsync(api, parse.GetValue(spec)!, Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateList()
    {
        var command = new Command("list", "List the tasks the node knows, with their state and round.");
        var target = TargetOptions(command);
        command.SetAction(async (parse, ct) =>
        {
            var (api, code) = target(parse, "list");
            return api is null ? code : await ListAsync(api, Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateSimilar()
    {
        var command = new Command("similar",
            "Rank the final models of the other tasks this node knows as sources for a task, scored on this node's own validation images.");
        var id = new Argument<string>("id") { Description = "The task that would import a model." };
        command.Arguments.Add(id);
        var target = TargetOptions(command);
        command.SetAction(async (parse, ct) =>
        {
            var (api, code) = target(parse, "similar");
            return api is null ? code : await SimilarAsync(api, parse.GetValue(id)!, Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>GET /tasks/{id}/similar and prints the ranking, the baseline and the excluded tasks with their reasons.</summary>
    public static async Task<int> SimilarAsync(NodeApi api, string taskId, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(output);
        var reply = await SendAsync<SimilarityReport>(api, "similar", SimilarTimeout, error,
            http => http.GetAsync(new Uri(api.Endpoint, $"/tasks/{Uri.EscapeDataString(taskId)}/similar"), cancellationToken)).ConfigureAwait(false);
        if (reply.Value is not { } report)
        {
            return reply.ExitCode;
        }
        output.WriteLine($"sources for task {report.TaskId}, scored on {report.Images} of this node's validation images");
        output.WriteLine($"score: {report.Measure}");
        output.WriteLine($"{"RANK",4} {"TASK",-24} {"SCORE",7} {"MODEL",-12} {"MODALITY",-12} {"BODY PART",-12} {"INPUT",-10} {"LABELS",6} FINAL MODEL");
        foreach (var c in report.Candidates)
        {
            var m = c.Metadata;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Rank,4} {c.TaskId,-24} {c.Score,7:0.0000} {c.Model,-12} {m.Modality,-12} {m.BodyPart,-12} {$"{m.Channels}×{m.Height}×{m.Width}",-10} {m.Labels,6} {c.ModelHash}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"-",4} {"(random init)",-24} {report.Baseline,7:0.0000} {report.BaselineModel,-12} baseline: the task's own architecture, untrained"));
        foreach (var x in report.Excluded)
        {
            output.WriteLine($"excluded {x.TaskId}: {x.Reason}");
        }
        output.WriteLine($"{report.Candidates.Count} candidates, {report.Excluded.Count} excluded");
        return ExitCodes.Ok;
    }

    private static Command CreateShow()
    {
        var command = new Command("show", "Show one task as the node sees it.");
        var id = new Argument<string>("id") { Description = "The task id." };
        command.Arguments.Add(id);
        var target = TargetOptions(command);
        command.SetAction(async (parse, ct) =>
        {
            var (api, code) = target(parse, "show");
            return api is null ? code : await ShowAsync(api, parse.GetValue(id)!, Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateDecision(string verb, string description, bool withReason)
    {
        var command = new Command(verb, description);
        var id = new Argument<string>("id") { Description = "The task id." };
        var reason = new Option<string?>("--reason") { Description = "Why (sent to the submitter and recorded in the audit log)." };
        command.Arguments.Add(id);
        if (withReason)
        {
            command.Options.Add(reason);
        }
        var target = TargetOptions(command);
        command.SetAction(async (parse, ct) =>
        {
            var (api, code) = target(parse, verb);
            return api is null
                ? code
                : await DecideAsync(api, verb, parse.GetValue(id)!, withReason ? parse.GetValue(reason) : null, Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateCancel()
    {
        var command = new Command("cancel", "Cancel a task: the node's task peer records the cancellation on the task's chain.");
        var id = new Argument<string>("id") { Description = "The task id." };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded with the cancellation)." };
        command.Arguments.Add(id);
        command.Options.Add(reason);
        var target = TargetOptions(command);
        command.SetAction(async (parse, ct) =>
        {
            var (api, code) = target(parse, "cancel");
            return api is null ? code : await CancelAsync(api, parse.GetValue(id)!, parse.GetValue(reason), Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Reads the spec file here (so its errors name this file and line), then posts its text.</summary>
    public static async Task<int> SubmitAsync(NodeApi api, string specPath, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string text;
        try
        {
            text = TaskSpecFile.ReadText(specPath);
            TaskSpecFile.Parse(text, specPath);
        }
        catch (TaskSpecFileException e)
        {
            error.WriteLine($"swarm task submit: the spec is not usable:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", e.Problems)}");
            return ExitCodes.Config;
        }
        // A refused submission (400, 409) still answers with its reason in the body.
        var reply = await SendAsync<SubmitTaskResult>(api, "submit", SubmitTimeout, error,
            http => http.PostAsync(new Uri(api.Endpoint, "/tasks"), TaskEndpoints.SubmitContent(text), cancellationToken),
            [HttpStatusCode.BadRequest, HttpStatusCode.Conflict]).ConfigureAwait(false);
        if (reply.Value is not { } result)
        {
            return reply.ExitCode;
        }
        if (result.Error is not null)
        {
            error.WriteLine($"swarm task submit: node refused the submission: {result.Error}");
            return ExitCodes.Failure;
        }
        var writer = result.Started ? output : error;
        writer.WriteLine(result.Started
            ? $"task {result.TaskId} started (spec sha256 {result.SpecDigest})"
            : $"swarm task submit: task {result.TaskId} was not started:");
        foreach (var answer in result.Answers)
        {
            writer.WriteLine(!answer.Consents ? $"  {answer.Node,-24} refuses: {answer.Reason}"
                : answer.SampleCount is { } samples ? $"  {answer.Node,-24} consents with {samples} training samples"
                : $"  {answer.Node,-24} consents");
        }
        return result.Started ? ExitCodes.Ok : ExitCodes.Failure;
    }

    public static async Task<int> ListAsync(NodeApi api, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(output);
        var reply = await SendAsync<TaskList>(api, "list", RequestTimeout, error,
            http => http.GetAsync(new Uri(api.Endpoint, "/tasks"), cancellationToken)).ConfigureAwait(false);
        if (reply.Value is not { } list)
        {
            return reply.ExitCode;
        }
        ChainTable.Write(list.Tasks, output, withDetail: true);
        output.WriteLine($"{list.Tasks.Count} tasks");
        return ExitCodes.Ok;
    }

    public static async Task<int> ShowAsync(NodeApi api, string taskId, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        var reply = await SendAsync<TaskInfo>(api, "show", RequestTimeout, error,
            http => http.GetAsync(new Uri(api.Endpoint, $"/tasks/{Uri.EscapeDataString(taskId)}"), cancellationToken)).ConfigureAwait(false);
        if (reply.Value is { } info)
        {
            Print(info, output);
        }
        return reply.ExitCode;
    }

    public static Task<int> CancelAsync(NodeApi api, string taskId, string? reason, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        DecideAsync(api, "cancel", taskId, reason, output, error, cancellationToken);

    public static Task<int> ApproveAsync(NodeApi api, string taskId, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        DecideAsync(api, "approve", taskId, null, output, error, cancellationToken);

    public static Task<int> RejectAsync(NodeApi api, string taskId, string? reason, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        DecideAsync(api, "reject", taskId, reason, output, error, cancellationToken);

    /// <summary>POST /tasks/{id}/{verb} (cancel, approve, reject) and prints the task after it.</summary>
    private static async Task<int> DecideAsync(NodeApi api, string verb, string taskId, string? reason, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        var reply = await SendAsync<TaskInfo>(api, verb, RequestTimeout, error,
            http => http.PostAsync(new Uri(api.Endpoint, $"/tasks/{Uri.EscapeDataString(taskId)}/{verb}"),
                TaskEndpoints.ReasonContent(reason), cancellationToken)).ConfigureAwait(false);
        if (reply.Value is { } info)
        {
            Print(info, output);
        }
        return reply.ExitCode;
    }

    private static void Print(TaskInfo info, TextWriter output)
    {
        var p = info.Progress;
        output.WriteLine($"task         {info.TaskId}");
        output.WriteLine($"state        {p.State}");
        output.WriteLine($"round        {p.Round}/{p.Rounds}");
        output.WriteLine($"chain height {p.ChainHeight}");
        output.WriteLine($"last block   {ChainTable.LastBlock(p.LastBlockAt)}");
        output.WriteLine($"model        {p.ModelHash ?? "-"}");
        output.WriteLine($"submitter    {info.Submitter}");
        output.WriteLine($"participants {string.Join(", ", info.Participants)}");
        output.WriteLine($"spec sha256  {info.SpecDigest}");
        if (info.SampleCounts.Count > 0)
        {
            // Declared at consent and fixed on the task's chain: each participant's FedAvg weight.
            output.WriteLine($"samples      {string.Join(", ", info.SampleCounts.Select(s => $"{s.Node} {s.SampleCount}"))}");
        }
        if (p.Detail is not null)
        {
            output.WriteLine($"detail       {p.Detail}");
        }
    }

    /// <summary>Sends one request with the admin token; the reply's body (on success, or on one of
    /// <paramref name="errorsWithBody"/>), or an exit code with the node's error written.</summary>
    private static async Task<(T? Value, int ExitCode)> SendAsync<T>(NodeApi api, string verb, TimeSpan timeout, TextWriter error,
        Func<HttpClient, Task<HttpResponseMessage>> send, HttpStatusCode[]? errorsWithBody = null)
        where T : class
    {
        try
        {
            using var http = api.CreateClient(timeout);
            using var response = await send(http).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && !(errorsWithBody?.Contains(response.StatusCode) ?? false))
            {
                var problem = await ErrorOf(response).ConfigureAwait(false);
                var hint = response.StatusCode == HttpStatusCode.Unauthorized
                    ? $" (sent the token of {api.TokenSource}; give the node's own with --token-file or --to its configuration)"
                    : "";
                error.WriteLine($"swarm task {verb}: {problem ?? $"{api.Endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}"}{hint}");
                return (null, ExitCodes.Failure);
            }
            var value = await response.Content.ReadFromJsonAsync<T>(TaskJson.Options).ConfigureAwait(false);
            return value is null ? Failed<T>(error, verb, $"{api.Endpoint} returned no body") : (value, ExitCodes.Ok);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return Failed<T>(error, verb, $"no node answers at {api.Endpoint}: {e.Message} (is `swarm node` running with that http.port?)");
        }
    }

    /// <summary>The error a task endpoint wrote in its body, if it wrote one.</summary>
    private static async Task<string?> ErrorOf(HttpResponseMessage response)
    {
        try
        {
            return (await response.Content.ReadFromJsonAsync<TaskError>(TaskJson.Options).ConfigureAwait(false))?.Error;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return null;
        }
    }

    private static (T? Value, int ExitCode) Failed<T>(TextWriter error, string verb, string message)
        where T : class
    {
        error.WriteLine($"swarm task {verb}: {message}");
        return (null, ExitCodes.Failure);
    }

    /// <summary>The node's address (from --to) and its admin token (from --token-file, or the data directory of the
    /// configuration), or an exit code with the problem written.</summary>
    internal static (NodeApi? Api, int ExitCode) Target(string? to, string? tokenFile, string verb, TextWriter error)
    {
        var isUrl = to is not null && to.Contains("://", StringComparison.Ordinal);
        var endpoint = StatusCommand.Endpoint(isUrl ? null : to, isUrl ? to : null, [], out var exitCode);
        if (endpoint is null)
        {
            return (null, exitCode);
        }
        if (tokenFile is null)
        {
            try
            {
                // Only node.data-dir is needed: read as the node resolves it, without binding the whole configuration
                // (with an address and no file, the defaults alone lack node.id and would not bind).
                var configuration = SwarmConfiguration.Build(isUrl ? null : to, [], SwarmConfiguration.ProcessEnvironment());
                tokenFile = AdminToken.PathIn(configuration["node:data-dir"] is { Length: > 0 } dataDir ? dataDir : ".");
            }
            catch (Exception e) when (e is HoconException or SettingsException)
            {
                error.WriteLine($"swarm: configuration error: {e.Message}");
                return (null, ExitCodes.Config);
            }
        }
        try
        {
            return (new NodeApi(endpoint, AdminToken.ReadValue(tokenFile), tokenFile), ExitCodes.Ok);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            error.WriteLine($"swarm task {verb}: cannot read the node's admin token: {e.Message} (give --token-file, or --to the node's configuration file)");
            return (null, ExitCodes.Failure);
        }
    }
}
