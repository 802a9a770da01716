using System.Runtime.InteropServices;
using Akka.Actor;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Swarm.Node.Configuration;

namespace Swarm.Node.Service;

/// <summary>Runs a <see cref="ClusterNode"/> for the Generic Host's lifetime in the actor system that Akka.Hosting
/// started before it: started with the host, stopped in order when the host stops (SIGTERM, SIGINT), before
/// Akka.Hosting shuts the actor system down, or by the node itself on a fatal fault (<see cref="NodeFault"/>).
/// SIGHUP re-reads the consortium file (<see cref="ClusterNode.ReloadConsortium"/>) instead of stopping the process.</summary>
public sealed class NodeHostedService(NodeSettings settings, ILoggerFactory loggers, ActorSystem system, NodeFault fault,
    IHostApplicationLifetime lifetime, HostRemoting remoting) : IHostedService, IAsyncDisposable
{
    private readonly ClusterNode _node = new(settings, loggers, TimeProvider.System, system: system, consortium: remoting.Loaded?.Consortium);
    private readonly ILogger _log = loggers.CreateLogger<NodeHostedService>();
    private PosixSignalRegistration? _hangup;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _node.UnreadableReplicaState += message =>
        {
            fault.Report(message);
            lifetime.StopApplication();
        };
        _node.RemovedFromCluster += reason =>
        {
            fault.Removed(reason);
            lifetime.StopApplication();
        };
        await _node.StartAsync(cancellationToken).ConfigureAwait(false);
        if (settings.Consortium.File.Length > 0)
        {
            _hangup = ListenForHangup();
        }
    }

    /// <summary>SIGHUP reloads the consortium (the handler runs on a thread of its own; the reload logs its outcome).</summary>
    private PosixSignalRegistration? ListenForHangup()
    {
        try
        {
            return PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                _log.LogInformation("SIGHUP: reloading the consortium file {File}", settings.Consortium.File);
                _node.ReloadConsortium();
            });
        }
        catch (PlatformNotSupportedException e)
        {
            _log.LogWarning("SIGHUP is not available here ({Reason}); reload the consortium with POST /admin/consortium/reload", e.Message);
            return null;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _hangup?.Dispose();
        return _node.StopAsync(cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _hangup?.Dispose();
        return _node.DisposeAsync();
    }
}

/// <summary>A fault that stopped the node after it started (an unreadable stored consensus state); <c>swarm node</c>
/// prints it and exits with <c>ExitCodes.Environment</c> (4) instead of 0.</summary>
public sealed class NodeFault
{
    private string? _reason;

    public string? Reason => Volatile.Read(ref _reason);

    /// <summary>Keeps the first reason reported.</summary>
    public void Report(string reason) => Interlocked.CompareExchange(ref _reason, reason, null);

    private string? _removal;

    /// <summary>Why the cluster removed this node while it ran, or null: <c>swarm node</c> then starts it again to
    /// rejoin (not a fault of the node; the exit code stays 0 if it later stops normally).</summary>
    public string? Removal => Volatile.Read(ref _removal);

    /// <summary>Keeps the first removal reported.</summary>
    public void Removed(string reason) => Interlocked.CompareExchange(ref _removal, reason, null);
}
