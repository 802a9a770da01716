using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Swarm.Node.Tasks;

namespace Swarm.Node.Cli;

/// <summary><c>swarm task submit|list|show|cancel</c>: talks to a running node's task endpoints
/// (<see cref="TaskEndpoints"/>). <c>--to</c> names the node: its HTTP address (http://127.0.0.1:7480) or its
/// configuration file (reached on its http.port); without it, the default http.port. Exit codes: 0 done (submit:
/// every participant consented and the task started), 1 refused, not found or no node answers, 2 usage, 3 the
/// spec file or node configuration is invalid.</summary>
public static class TaskCommand
{
    /// <summary>A submit waits for every participant's answer: at most the node's tasks.consent-timeout (≤ 5 min).</summary>
    private static readonly TimeSpan SubmitTimeout = TimeSpan.FromMinutes(6);

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var command = new Command("task", "Submit, list, show and cancel training tasks on a running node.");
        command.Subcommands.Add(CreateSubmit());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateCancel());
        return command;
    }

    private static Option<string?> ToOption() => new("--to")
    {
        Description = "The node: its HTTP address (http://127.0.0.1:7480) or its HOCON configuration file.",
    };

    private static Command CreateSubmit()
    {
        var command = new Command("submit", "Send a task spec (HOCON) to the participants through a node; prints each participant's answer.");
        var spec = new Argument<string>("spec") { Description = "The task spec file (examples/tasks/pneumonia-4.conf)." };
        var to = ToOption();
        command.Arguments.Add(spec);
        command.Options.Add(to);
        command.SetAction(async (parse, ct) =>
        {
            var endpoint = Endpoint(parse.GetValue(to), out var code);
            return endpoint is null ? code : await SubmitAsync(endpoint, parse.GetValue(spec)!, Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateList()
    {
        var command = new Command("list", "List the tasks the node knows, with their state and round.");
        var to = ToOption();
        command.Options.Add(to);
        command.SetAction(async (parse, ct) =>
        {
            var endpoint = Endpoint(parse.GetValue(to), out var code);
            return endpoint is null ? code : await ListAsync(endpoint, Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateShow()
    {
        var command = new Command("show", "Show one task as the node sees it.");
        var id = new Argument<string>("id") { Description = "The task id." };
        var to = ToOption();
        command.Arguments.Add(id);
        command.Options.Add(to);
        command.SetAction(async (parse, ct) =>
        {
            var endpoint = Endpoint(parse.GetValue(to), out var code);
            return endpoint is null ? code : await ShowAsync(endpoint, parse.GetValue(id)!, Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateCancel()
    {
        var command = new Command("cancel", "Cancel a task: the node's task peer records the cancellation on the task's chain.");
        var id = new Argument<string>("id") { Description = "The task id." };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded with the cancellation)." };
        var to = ToOption();
        command.Arguments.Add(id);
        command.Options.Add(reason);
        command.Options.Add(to);
        command.SetAction(async (parse, ct) =>
        {
            var endpoint = Endpoint(parse.GetValue(to), out var code);
            return endpoint is null
                ? code
                : await CancelAsync(endpoint, parse.GetValue(id)!, parse.GetValue(reason), Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Reads the spec file here (so its errors name this file and line), then posts its text.</summary>
    public static async Task<int> SubmitAsync(Uri endpoint, string specPath, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
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
        var reply = await SendAsync<SubmitTaskResult>(endpoint, "submit", SubmitTimeout, error,
            http => http.PostAsync(new Uri(endpoint, "/tasks"), TaskEndpoints.SubmitContent(text), cancellationToken),
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
            writer.WriteLine(answer.Consents ? $"  {answer.Node,-24} consents" : $"  {answer.Node,-24} refuses: {answer.Reason}");
        }
        return result.Started ? ExitCodes.Ok : ExitCodes.Failure;
    }

    public static async Task<int> ListAsync(Uri endpoint, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(output);
        var reply = await SendAsync<TaskList>(endpoint, "list", RequestTimeout, error,
            http => http.GetAsync(new Uri(endpoint, "/tasks"), cancellationToken)).ConfigureAwait(false);
        if (reply.Value is not { } list)
        {
            return reply.ExitCode;
        }
        output.WriteLine($"{"TASK",-24} {"STATE",-10} {"ROUND",9} {"CHAIN",7} {"SUBMITTER",-16} DETAIL");
        foreach (var task in list.Tasks)
        {
            var p = task.Progress;
            output.WriteLine($"{task.TaskId,-24} {p.State,-10} {$"{p.Round}/{p.Rounds}",9} {p.ChainHeight,7} {task.Submitter,-16} {p.Detail}");
        }
        output.WriteLine($"{list.Tasks.Count} tasks");
        return ExitCodes.Ok;
    }

    public static async Task<int> ShowAsync(Uri endpoint, string taskId, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var reply = await SendAsync<TaskInfo>(endpoint, "show", RequestTimeout, error,
            http => http.GetAsync(new Uri(endpoint, $"/tasks/{Uri.EscapeDataString(taskId)}"), cancellationToken)).ConfigureAwait(false);
        if (reply.Value is { } info)
        {
            Print(info, output);
        }
        return reply.ExitCode;
    }

    public static async Task<int> CancelAsync(Uri endpoint, string taskId, string? reason, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var reply = await SendAsync<TaskInfo>(endpoint, "cancel", RequestTimeout, error,
            http => http.PostAsync(new Uri(endpoint, $"/tasks/{Uri.EscapeDataString(taskId)}/cancel"),
                TaskEndpoints.CancelContent(reason), cancellationToken)).ConfigureAwait(false);
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
        output.WriteLine($"model        {p.ModelHash ?? "-"}");
        output.WriteLine($"submitter    {info.Submitter}");
        output.WriteLine($"participants {string.Join(", ", info.Participants)}");
        output.WriteLine($"spec sha256  {info.SpecDigest}");
        if (p.Detail is not null)
        {
            output.WriteLine($"detail       {p.Detail}");
        }
    }

    /// <summary>Sends one request; the reply's body (on success, or on one of <paramref name="errorsWithBody"/>), or
    /// an exit code with the error written.</summary>
    private static async Task<(T? Value, int ExitCode)> SendAsync<T>(Uri endpoint, string verb, TimeSpan timeout, TextWriter error,
        Func<HttpClient, Task<HttpResponseMessage>> send, HttpStatusCode[]? errorsWithBody = null)
        where T : class
    {
        try
        {
            using var http = new HttpClient { Timeout = timeout };
            using var response = await send(http).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                var notFound = await response.Content.ReadFromJsonAsync<TaskError>(TaskJson.Options).ConfigureAwait(false);
                error.WriteLine($"swarm task {verb}: {notFound?.Error ?? "not found"}");
                return (null, ExitCodes.Failure);
            }
            if (!response.IsSuccessStatusCode && !(errorsWithBody?.Contains(response.StatusCode) ?? false))
            {
                error.WriteLine($"swarm task {verb}: {endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}");
                return (null, ExitCodes.Failure);
            }
            var value = await response.Content.ReadFromJsonAsync<T>(TaskJson.Options).ConfigureAwait(false);
            return value is null ? Failed<T>(error, verb, $"{endpoint} returned no body") : (value, ExitCodes.Ok);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return Failed<T>(error, verb, $"no node answers at {endpoint}: {e.Message} (is `swarm node` running with that http.port?)");
        }
    }

    private static (T? Value, int ExitCode) Failed<T>(TextWriter error, string verb, string message)
        where T : class
    {
        error.WriteLine($"swarm task {verb}: {message}");
        return (null, ExitCodes.Failure);
    }

    private static Uri? Endpoint(string? to, out int exitCode)
    {
        var isUrl = to is not null && to.Contains("://", StringComparison.Ordinal);
        return StatusCommand.Endpoint(isUrl ? null : to, isUrl ? to : null, [], out exitCode);
    }
}
