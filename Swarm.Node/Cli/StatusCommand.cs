using System.CommandLine;
using System.Net.Http.Json;
using Swarm.Node.Configuration;
using Swarm.Node.Configuration.Hocon;
using Swarm.Node.Service;

namespace Swarm.Node.Cli;

/// <summary><c>swarm status [--config FILE | --url http://127.0.0.1:PORT] [--token-file FILE]</c>: asks a running node's
/// /health and prints the members it sees and their states, then (with the node's admin token) every chain the node
/// takes part in from <c>GET /tasks</c>: task, state, round, height, last block time, members.</summary>
public static class StatusCommand
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var command = new Command("status", "Print the cluster members a running node sees, from its /health endpoint.");
        var config = new Option<string?>("--config") { Description = "The node's HOCON file: the node is reached on its http.port." };
        var url = new Option<string?>("--url") { Description = "The node's HTTP endpoint, e.g. http://127.0.0.1:7480." };
        var tokenFile = new Option<string?>("--token-file")
        {
            Description = "The node's admin token file, to list its chains (default: admin.token in the node.data-dir of --config).",
        };
        command.Options.Add(config);
        command.Options.Add(url);
        command.Options.Add(tokenFile);
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var endpoint = Endpoint(parse.GetValue(config), parse.GetValue(url), parse.UnmatchedTokens, out var exitCode);
            if (endpoint is null)
            {
                return exitCode;
            }
            var chains = new StringWriter();
            var (api, _) = TaskCommand.Target(parse.GetValue(url) ?? parse.GetValue(config), parse.GetValue(tokenFile), "status", chains);
            return await PrintAsync(endpoint, Console.Out, Console.Error, ct, api, chains.ToString().Trim()).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Prints the node's members, then its chains when <paramref name="api"/> (the node with its admin token)
    /// is given, or why they are not shown (<paramref name="noChains"/>).</summary>
    public static async Task<int> PrintAsync(Uri endpoint, TextWriter output, TextWriter error, CancellationToken cancellationToken,
        NodeApi? api = null, string? noChains = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        HealthReport? report;
        try
        {
            using var http = new HttpClient { Timeout = RequestTimeout };
            report = await http.GetFromJsonAsync<HealthReport>(new Uri(endpoint, "/health"), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            error.WriteLine($"swarm status: no node answers at {endpoint}: {e.Message} (is `swarm node` running with that http.port?)");
            return ExitCodes.Failure;
        }
        if (report is null)
        {
            error.WriteLine($"swarm status: {endpoint}/health returned no report");
            return ExitCodes.Failure;
        }
        var consortium = report.Consortium is null ? "" : $"  consortium {report.Consortium}";
        output.WriteLine($"node {report.Node}  status {report.Status}  incarnation {report.Incarnation}  uptime {report.UptimeSeconds:0}s{consortium}");
        output.WriteLine($"{"MEMBER",-24} {"STATUS",-12} {"UID",20}  CONSORTIUM");
        foreach (var member in report.Members)
        {
            var file = member.Consortium is null ? "?" : member.ConsortiumMismatch ? $"{member.Consortium} MISMATCH" : member.Consortium;
            output.WriteLine($"{member.Node,-24} {member.Status,-12} {member.Uid,20}  {file}");
        }
        var up = report.Members.Count(m => m.Status == "up");
        output.WriteLine($"{report.Members.Count} members, {up} up");
        var mismatched = report.Members.Where(m => m.ConsortiumMismatch).Select(m => m.Node).ToList();
        if (mismatched.Count > 0)
        {
            output.WriteLine($"warning: {string.Join(", ", mismatched)} {(mismatched.Count == 1 ? "has" : "have")} another consortium file in force than this node's {report.Consortium} (compare the files, then reload: docs/operations.md)");
        }
        if (api is null)
        {
            output.WriteLine($"chains: not shown{(noChains is { Length: > 0 } why ? $" ({why})" : "")}");
            return ExitCodes.Ok;
        }
        output.WriteLine();
        return await TaskCommand.ListAsync(api, output, error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The node's HTTP address from --url, or from the http.port of its configuration (also used by <c>swarm task</c>).</summary>
    internal static Uri? Endpoint(string? configFile, string? url, IReadOnlyList<string> switches, out int exitCode)
    {
        exitCode = ExitCodes.Ok;
        if (url is not null)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http")
            {
                return parsed;
            }
            Console.Error.WriteLine($"swarm status: --url '{url}' is not an http:// address (e.g. http://127.0.0.1:7480)");
            exitCode = ExitCodes.Usage;
            return null;
        }
        try
        {
            var settings = SwarmConfiguration.Bind(SwarmConfiguration.Build(configFile, switches, SwarmConfiguration.ProcessEnvironment()));
            return new Uri($"http://127.0.0.1:{settings.Http.Port}");
        }
        catch (Exception e) when (e is HoconException or SettingsException)
        {
            Console.Error.WriteLine($"swarm: configuration error: {e.Message}");
            exitCode = ExitCodes.Config;
            return null;
        }
    }
}
