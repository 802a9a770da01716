using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Swarm.Actors.Platform;

/// <summary>
/// Creates the actor system of one node (Akka.NET). A node's actors log through Microsoft.Extensions.Logging (the
/// node's own loggers, <see cref="NodeLogging"/>); Akka's internal log is kept at warnings. Training and evaluation
/// run on <see cref="TrainingDispatcher"/>, a dispatcher that gives each trainer its own thread, so a long libtorch
/// call never holds a thread that timers, heartbeats and consensus need. Akka's coordinated shutdown does not hook
/// the process: the node's host stops the system in its own order.
/// </summary>
public static class SwarmActorSystem
{
    /// <summary>The dispatcher of trainer actors (one dedicated thread each).</summary>
    public const string TrainingDispatcher = "swarm.training-dispatcher";

    private const string Defaults = """
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = 0
          log-dead-letters-during-shutdown = off
          log-config-on-start = off
          coordinated-shutdown {
            run-by-clr-shutdown-hook = off
            exit-clr = off
          }
          actor {
            ask-timeout = 30s
          }
        }
        swarm.training-dispatcher {
          type = PinnedDispatcher
          executor = thread-pool-executor
          throughput = 1
        }
        """;

    /// <summary>The configuration every node's system starts from (what the overrides of <see cref="Create"/> may change):
    /// it also binds the chain journal's entries to their serializer. Which journal a system writes to is the
    /// node's choice (its store); a system without one refuses to start a chain.</summary>
    public static Config DefaultConfig => ConfigurationFactory.ParseString(Defaults + "\n" + Consensus.ChainJournalSerializer.Hocon);

    /// <param name="name">The node id (the system's name; letters, digits, '-' and '_').</param>
    /// <param name="loggers">Where the node's actors log.</param>
    /// <param name="overrides">Settings that take precedence over the defaults (tests: the test scheduler).</param>
    /// <param name="setup">Programmatic settings beyond the configuration (a consortium node: Akka.Remote's TLS).</param>
    public static ActorSystem Create(string name, ILoggerFactory? loggers = null, Config? overrides = null, Setup? setup = null)
    {
        var config = overrides is null ? DefaultConfig : overrides.WithFallback(DefaultConfig);
        var bootstrap = BootstrapSetup.Create().WithConfig(config);
        var system = ActorSystem.Create(name, setup is null ? ActorSystemSetup.Create(bootstrap) : bootstrap.And(setup));
        NodeLogging.For(system).Factory = loggers ?? NullLoggerFactory.Instance;
        return system;
    }
}
