using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Swarm.Node.Configuration;
using Swarm.Node.Configuration.Hocon;
using Swarm.Node.Hosting;
using Swarm.Node.Service;

namespace Swarm.Node.Cli;

/// <summary><c>swarm node --config node.conf [--section.key=value ...]</c>: runs this institution's node as a
/// long-lived service until SIGTERM or SIGINT, then stops it in order (see <see cref="ClusterNode"/>).</summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var command = new Command("node", "Run a node as a long-lived service: Akka.Cluster member over pinned mutual TLS, blob transport, "
            + "/health and /metrics on loopback. Stops gracefully on SIGTERM.");
        var config = new Option<string?>("--config") { Description = "The node's HOCON file (laid over reference.conf)." };
        command.Options.Add(config);
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse => Run(parse.GetValue(config), parse.UnmatchedTokens));
        return command;
    }

    /// <summary>Runs the node to the end; returns the exit code (0 after a graceful stop). A node the cluster
    /// removed while it was running (another member or the split-brain resolver marked it down, whatever its own
    /// failure detector saw) cannot come back in the same actor system: Akka quarantines that incarnation. So the
    /// node is started again, host and actor system new (a new uid), and joins its seeds; tasks resume from the
    /// journal as after any restart. Restarts are spaced by <see cref="RejoinPause"/>, so a member that keeps
    /// downing this one costs it time (a liveness attack, bounded) but never a tight loop.</summary>
    public static int Run(string? configFile, IReadOnlyList<string> switches)
    {
        for (var life = 1; ; life++)
        {
            var code = RunOnce(configFile, switches, out var removed);
            if (removed is null)
            {
                return code;
            }
            Console.Error.WriteLine($"swarm node: {removed}; starting again in {RejoinPause.TotalSeconds:F0} s to rejoin (life {life + 1})");
            Thread.Sleep(RejoinPause);
        }
    }

    /// <summary>The pause before a node removed from the cluster starts again.</summary>
    public static TimeSpan RejoinPause { get; } = TimeSpan.FromSeconds(2);

    private static int RunOnce(string? configFile, IReadOnlyList<string> switches, out string? removed)
    {
        removed = null;
        IHost host;
        try
        {
            var builder = SwarmHost.CreateBuilder(configFile, switches);
            if (string.Equals(builder.Configuration["logging:format"], nameof(LogFormat.Json), StringComparison.OrdinalIgnoreCase))
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddJsonConsole(json =>
                {
                    json.UseUtcTimestamp = true;
                    json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                });
            }
            builder.AddSwarmNode();
            // A failed start is reported once, as a clear line below, not again as the host's stack trace.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
            builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(30));
            host = builder.Build();
        }
        catch (Exception e) when (e is HoconException or SettingsException)
        {
            return ConfigError(e);
        }
        using (host)
        {
            try
            {
                // Resolved before Run, which disposes the host's services when it returns.
                var nodeFault = host.Services.GetRequiredService<NodeFault>();
                host.Run();
                if (nodeFault.Removal is { } removal)
                {
                    removed = removal;
                    return ExitCodes.Ok;
                }
                if (nodeFault.Reason is { } fault)
                {
                    Console.Error.WriteLine($"swarm node: stopped: {fault}");
                    return ExitCodes.Environment;
                }
                return ExitCodes.Ok;
            }
            catch (OptionsValidationException e)
            {
                foreach (var failure in e.Failures)
                {
                    Console.Error.WriteLine($"swarm: configuration error: {failure}");
                }
                return ExitCodes.Config;
            }
            catch (NodeStartException e)
            {
                Console.Error.WriteLine($"swarm node: {e.Message}");
                return ExitCodes.Environment;
            }
        }
    }

    private static int ConfigError(Exception e)
    {
        var lines = e is SettingsException settings ? settings.Errors.Select(x => x.ToString()) : [e.Message];
        foreach (var line in lines)
        {
            Console.Error.WriteLine($"swarm: configuration error: {line}");
        }
        return ExitCodes.Config;
    }
}
