using Akka.Actor;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Swarm.Node.Configuration;

namespace Swarm.Node.Service;

/// <summary>Runs a <see cref="ClusterNode"/> for the Generic Host's lifetime in the actor system that Akka.Hosting
/// started before it: started with the host, stopped in order when the host stops (SIGTERM, SIGINT), before
/// Akka.Hosting shuts the actor system down.</summary>
public sealed class NodeHostedService(NodeSettings settings, ILoggerFactory loggers, ActorSystem system) : IHostedService, IAsyncDisposable
{
    private readonly ClusterNode _node = new(settings, loggers, TimeProvider.System, system: system);

    public Task StartAsync(CancellationToken cancellationToken) => _node.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _node.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _node.DisposeAsync();
}
