using System.Text.Json;
using Swarm.Node.Cli;

namespace Swarm.Tests.Configuration;

public sealed class ConfigShowTests
{
    private const string Secret = "Host=db;Username=swarm;Password=hunter2";

    private static (int Code, string Output, string Error) Show(string? file, string format, IReadOnlyList<string>? switches = null, Dictionary<string, string>? env = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = ConfigCommand.Show(file, format, switches ?? [], env ?? [], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Show_redacts_secrets_in_hocon_and_json()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("node.conf", "node.id = a\nstore.kind = postgres\ntls.key-password = topsecret");
        var env = new Dictionary<string, string> { ["SWARM_POSTGRES_CONNECTION_STRING"] = Secret };
        foreach (var format in new[] { "hocon", "json" })
        {
            var (code, output, _) = Show(file, format, env: env);
            Assert.Equal(ExitCodes.Ok, code);
            Assert.DoesNotContain("hunter2", output, StringComparison.Ordinal);
            Assert.DoesNotContain("topsecret", output, StringComparison.Ordinal);
            Assert.Contains("\"<redacted>\"", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Show_json_is_plain_json_of_the_effective_configuration()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("node.conf", "node.id = a\nnetwork.listen-port = 7401\nnetwork.frame-bytes-max = 1MiB");
        var env = new Dictionary<string, string> { ["SWARM_GOSSIP__PHI_THRESHOLD"] = "12.5" };
        var (code, output, _) = Show(file, "json", ["--http.port=9999"], env);
        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("a", root.GetProperty("node").GetProperty("id").GetString());
        Assert.Equal(7401, root.GetProperty("network").GetProperty("listen-port").GetInt32());
        Assert.Equal("1MiB", root.GetProperty("network").GetProperty("frame-bytes-max").GetString());
        Assert.Equal(12.5, root.GetProperty("gossip").GetProperty("phi-threshold").GetDouble());
        Assert.Equal(9999, root.GetProperty("http").GetProperty("port").GetInt32());
        Assert.Equal("swarm-data/ledger.db", root.GetProperty("store").GetProperty("sqlite-path").GetString());
    }

    [Fact]
    public void Show_hocon_output_is_hocon_that_reads_back_to_the_same_values()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("node.conf", "node.id = a\nnetwork.listen-port = 7401");
        var (code, output, _) = Show(file, "hocon");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("listen-port = 7401  # ", output, StringComparison.Ordinal);
        var reread = Hocon.Load(output);
        Assert.Equal(7401, reread.GetInt("network.listen-port"));
        Assert.Equal(TimeSpan.FromSeconds(1), reread.GetDuration("gossip.interval"));
    }

    [Fact]
    public void A_configuration_error_exits_with_the_config_code_naming_file_line_and_key()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("node.conf", "node.id = a\nnetwork {\n  listen-port = abc\n}");
        var (code, output, error) = Show(file, "hocon");
        Assert.Equal(ExitCodes.Config, code);
        Assert.Empty(output);
        Assert.Contains("node.conf:3: key 'network.listen-port': expected a whole number, got \"abc\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_syntax_error_exits_with_the_config_code()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("node.conf", "node.id = a\nnetwork { listen-port = 1");
        var (code, _, error) = Show(file, "json");
        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains("node.conf:2: missing '}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_config_file_exits_with_the_config_code()
    {
        var (code, _, error) = Show("/nonexistent/node.conf", "hocon");
        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains("not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_line_passes_setting_switches_through_to_config_show()
    {
        // Parsed, not run: a run would read this process's SWARM_* variables, which other suites may set.
        var parse = SwarmCli.Build().Parse(["config", "show", "--config", "node.conf", "--format", "json", "--network.listen-port=7402"]);
        Assert.Empty(parse.Errors);
        Assert.Equal(["--network.listen-port=7402"], parse.UnmatchedTokens);
        Assert.NotEmpty(SwarmCli.Build().Parse(["config", "show", "--format", "yaml"]).Errors);
    }
}
