using System.CommandLine;
using Swarm.Node.Configuration;
using Swarm.Node.Configuration.Hocon;

namespace Swarm.Node.Cli;

/// <summary><c>swarm config show [--config FILE] [--format hocon|json] [--section.key=value ...]</c>: prints the
/// effective configuration after merging, includes, substitutions and overrides, with secrets redacted.</summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var command = new Command("config", "Inspect the node configuration.");
        command.Subcommands.Add(CreateShow());
        return command;
    }

    private static Command CreateShow()
    {
        var show = new Command("show", "Print the effective configuration (reference.conf, --config FILE, SWARM_SECTION__KEY "
            + "environment variables, --section.key=value switches), secrets redacted.");
        var config = new Option<string?>("--config") { Description = "HOCON file laid over reference.conf." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "hocon" };
        format.AcceptOnlyFromAmong("hocon", "json");
        show.Options.Add(config);
        show.Options.Add(format);
        show.TreatUnmatchedTokensAsErrors = false;
        show.SetAction(parse => Show(
            parse.GetValue(config),
            parse.GetValue(format) ?? "hocon",
            parse.UnmatchedTokens,
            SwarmConfiguration.ProcessEnvironment(),
            Console.Out,
            Console.Error));
        return show;
    }

    /// <summary>Builds, binds and validates the configuration, then prints it. Returns an exit code; configuration
    /// errors go to <paramref name="error"/> naming file:line and key.</summary>
    public static int Show(string? configFile, string format, IReadOnlyList<string> switches, IReadOnlyDictionary<string, string> environment, TextWriter output, TextWriter error)
    {
        try
        {
            var configuration = SwarmConfiguration.Build(configFile, switches, environment);
            SwarmConfiguration.Bind(configuration);
            var tree = EffectiveConfiguration.Build(configuration);
            output.Write(format == "json" ? HoconRenderer.ToJson(tree, SecretSettings.IsSecret) : HoconRenderer.ToHocon(tree, SecretSettings.IsSecret));
            return ExitCodes.Ok;
        }
        catch (HoconException e)
        {
            error.WriteLine($"swarm: configuration error: {e.Message}");
            return ExitCodes.Config;
        }
        catch (SettingsException e)
        {
            foreach (var problem in e.Errors)
            {
                error.WriteLine($"swarm: configuration error: {problem}");
            }
            return ExitCodes.Config;
        }
    }
}
