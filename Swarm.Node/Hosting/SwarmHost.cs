using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Swarm.Node.Clustering;
using Swarm.Node.Configuration;
using Swarm.Node.Service;

namespace Swarm.Node.Hosting;

/// <summary>Builds the Generic Host of a node: the layered HOCON configuration, <see cref="NodeSettings"/> as
/// validated options (checked when the host starts, so a bad file stops the node before anything listens), and
/// console logging at <c>logging.level</c>.</summary>
public static class SwarmHost
{
    public static HostApplicationBuilder CreateBuilder(string? configFile, IReadOnlyList<string> switches, IReadOnlyDictionary<string, string>? environment = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "swarm" });
        // Settings bind from the node's own layers: the host adds keys of its own (applicationName,
        // contentRoot) that the strict binder would rightly call unknown.
        var configuration = SwarmConfiguration.Build(configFile, switches, environment);
        builder.Configuration.AddConfiguration(configuration);

        builder.Services.AddOptions<NodeSettings>()
            .Configure(settings => SettingsBinder.BindInto(settings, configuration))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<NodeSettings>>(new NodeSettingsValidation(configuration));
        builder.Services.AddSingleton(services => services.GetRequiredService<IOptions<NodeSettings>>().Value);

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.SetMinimumLevel(ConfiguredLevel(configuration));
        return builder;
    }

    /// <summary>Adds the node to the host: its actor system, started and shut down by Akka.Hosting (Akka's own log
    /// through the host's loggers, at warnings), and the node service that runs in it. The actor system starts before
    /// the node and is shut down after it, so the node leaves the cluster and stops its actors first.</summary>
    public static HostApplicationBuilder AddSwarmNode(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var clustered = !string.IsNullOrEmpty(builder.Configuration["consortium:file"]);
        // A consortium's node is an Akka.Cluster member over TLS remoting: its system needs the consortium and the
        // node's certificate before the node starts. The identity lives as long as the process (the system holds its
        // certificate); the consortium source is the node's too, so that a reload reaches the system's TLS validator.
        builder.Services.AddSingleton(services => new HostRemoting(ClusterNode.TryLoadIdentity(services.GetRequiredService<NodeSettings>())));
        builder.Services.AddAkka(clustered ? ClusterRemoting.SystemName : SystemName(builder.Configuration["node:id"]), (akka, services) =>
        {
            var settings = services.GetRequiredService<NodeSettings>();
            var remoting = services.GetRequiredService<HostRemoting>().Loaded;
            akka.AddHocon(ClusterNode.ActorSystemConfig(settings, remoting?.Consortium.Current), HoconAddMode.Prepend);
            if (remoting is { } loaded)
            {
                akka.AddSetup(ClusterNode.SslSetup(loaded.Identity, loaded.Consortium, services.GetRequiredService<ILoggerFactory>()));
            }
            akka.ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
        });
        builder.Services.AddSingleton<NodeFault>();
        builder.Services.AddHostedService<NodeHostedService>();
        return builder;
    }

    /// <summary>A node alone names its actor system after itself (in a consortium every system is named
    /// <see cref="ClusterRemoting.SystemName"/>, as Akka.Cluster requires); an id Akka would refuse is reported by the settings'
    /// validation, which runs before the system starts, so any valid name does until then.</summary>
    private static string SystemName(string? nodeId) =>
        nodeId is { Length: > 0 } id && char.IsAsciiLetterOrDigit(id[0]) && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? id
            : "swarm-node";

    /// <summary>The level from <c>logging.level</c>; a bad value is reported by validation at start, so here it
    /// falls back to Information.</summary>
    private static LogLevel ConfiguredLevel(IConfigurationRoot configuration)
    {
        var level = configuration["logging:level"];
        var property = typeof(LoggingSettings).GetProperty(nameof(LoggingSettings.Level))!;
        return level is not null && SettingsValueConverter.TryConvert(level, property, out var value, out _) ? (LogLevel)value! : LogLevel.Information;
    }
}
