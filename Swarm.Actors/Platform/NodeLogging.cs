using Akka.Actor;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Swarm.Actors.Platform;

/// <summary>The node's logger factory, kept with its actor system so every actor logs where the node logs (an Akka
/// extension: one per system).</summary>
public sealed class NodeLogging : IExtension
{
    public ILoggerFactory Factory { get; set; } = NullLoggerFactory.Instance;

    public static NodeLogging For(ActorSystem system) => system.WithExtension<NodeLogging, NodeLoggingProvider>();

    private sealed class NodeLoggingProvider : ExtensionIdProvider<NodeLogging>
    {
        public override NodeLogging CreateExtension(ExtendedActorSystem system) => new();
    }
}
