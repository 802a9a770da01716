using Swarm.Node.Configuration;

namespace Swarm.Tests.Configuration;

public sealed class SettingsBindingTests
{
    [Fact]
    public void A_node_file_over_reference_conf_binds_to_typed_settings()
    {
        using var dir = new TempDirectory();
        var settings = SwarmConfiguration.Bind(NodeConfig.Build(dir, NodeConfig.Minimal + "network.frame-bytes-max = 1MiB\ngossip.interval = 250ms\nstore.kind = postgres\nstore.postgres-connection-string = \"Host=db;Password=pw\""));
        Assert.Equal("hospital-a", settings.Node.Id);
        Assert.Equal(1L << 20, settings.Network.FrameBytesMax);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.Gossip.Interval);
        Assert.Equal(StoreKind.Postgres, settings.Store.Kind);
        Assert.Equal(7400, settings.Network.ListenPort);
        Assert.Equal("swarm-data/ledger.db", settings.Store.SqlitePath);
    }

    [Fact]
    public void An_unknown_key_is_an_error_naming_it_its_line_and_the_closest_key()
    {
        using var dir = new TempDirectory();
        var error = NodeConfig.BindFails(dir, NodeConfig.Minimal + "network {\n  listen-prot = 7401\n}");
        var problem = Assert.Single(error.Errors);
        Assert.Equal("network.listen-prot", problem.Key);
        Assert.EndsWith("/node.conf:3", problem.Origin, StringComparison.Ordinal);
        Assert.Contains("did you mean 'network.listen-port'?", problem.Fix, StringComparison.Ordinal);
        Assert.Contains("/node.conf:3: key 'network.listen-prot': unknown key", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_section_is_an_error()
    {
        using var dir = new TempDirectory();
        var problem = Assert.Single(NodeConfig.BindFails(dir, NodeConfig.Minimal + "netwrok.listen-port = 1").Errors);
        Assert.Equal("netwrok", problem.Key);
        Assert.Contains("did you mean 'network'?", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_file_line_and_key()
    {
        using var dir = new TempDirectory();
        var problem = Assert.Single(NodeConfig.BindFails(dir, NodeConfig.Minimal + "network.listen-port = abc").Errors);
        Assert.EndsWith("/node.conf:2: key 'network.listen-port': expected a whole number, got \"abc\"", problem.ToString().Split(" (fix:")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_enum_value_lists_the_allowed_ones()
    {
        using var dir = new TempDirectory();
        var problem = Assert.Single(NodeConfig.BindFails(dir, NodeConfig.Minimal + "store.kind = mysql").Errors);
        Assert.Equal("expected one of sqlite, postgres, got \"mysql\"", problem.Problem);
    }

    [Fact]
    public void A_value_out_of_range_names_the_key_and_the_allowed_range()
    {
        using var dir = new TempDirectory();
        var problem = Assert.Single(NodeConfig.BindFails(dir, NodeConfig.Minimal + "network.listen-port = 70000").Errors);
        Assert.EndsWith("/node.conf:2", problem.Origin, StringComparison.Ordinal);
        Assert.Equal("70000 is out of range", problem.Problem);
        Assert.Equal("use a value from 0 to 65535", problem.Fix);
    }

    [Fact]
    public void Durations_and_sizes_out_of_range_are_reported_in_their_units()
    {
        using var dir = new TempDirectory();
        var errors = NodeConfig.BindFails(dir, NodeConfig.Minimal + "network.frame-bytes-max = 2GiB\nactors.ask-timeout = 1h").Errors;
        Assert.Contains(errors, e => e.Key == "network.frame-bytes-max" && e.Fix == "use a size from 1KiB to 1GiB");
        Assert.Contains(errors, e => e.Key == "actors.ask-timeout" && e.Fix == "use a duration from 1ms to 10m");
    }

    [Fact]
    public void A_missing_required_value_says_how_to_fix_it()
    {
        using var dir = new TempDirectory();
        var problem = Assert.Single(NodeConfig.BindFails(dir, "http.port = 1").Errors);
        Assert.Equal("node.id", problem.Key);
        Assert.Contains("set node.id", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_key_is_an_error()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("alone.conf", "node { id = a }");
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddHoconFile(file).Build();
        var errors = Assert.Throws<SettingsException>(() => SettingsBinder.Bind<NodeSettings>(configuration)).Errors;
        Assert.Contains(errors, e => e.Key == "node.data-dir" && e.Problem == "the key is missing" && e.Origin!.EndsWith("/alone.conf:1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Key == "network" && e.Problem == "the section is missing");
    }

    [Fact]
    public void Rules_across_keys_are_checked()
    {
        using var dir = new TempDirectory();
        var errors = NodeConfig.BindFails(dir, NodeConfig.Minimal + "store.kind = postgres\nnetwork.reconnect-backoff-max = 1ms\ntls.cert-path = cert.pem").Errors;
        Assert.Contains(errors, e => e.Key == "store.postgres-connection-string");
        Assert.Contains(errors, e => e.Key == "network.reconnect-backoff-max" && e.Origin!.EndsWith("/node.conf:3", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Key == "tls.key-path");
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void An_environment_variable_overrides_the_file()
    {
        using var dir = new TempDirectory();
        var env = new Dictionary<string, string> { ["SWARM_NETWORK__LISTEN_PORT"] = "7500", ["SWARM_NODE__DATA_DIR"] = "/env" };
        var configuration = NodeConfig.Build(dir, NodeConfig.Minimal + "network.listen-port = 7401", environment: env);
        var settings = SwarmConfiguration.Bind(configuration);
        Assert.Equal(7500, settings.Network.ListenPort);
        Assert.Equal("/env", settings.Node.DataDir);
        Assert.Equal("environment variable SWARM_NETWORK__LISTEN_PORT", ConfigurationOrigins.Describe(configuration, "network:listen-port"));
    }

    [Fact]
    public void A_switch_overrides_the_environment_and_the_file()
    {
        using var dir = new TempDirectory();
        var env = new Dictionary<string, string> { ["SWARM_NETWORK__LISTEN_PORT"] = "7500" };
        var configuration = NodeConfig.Build(dir, NodeConfig.Minimal + "network.listen-port = 7401", ["--network.listen-port=7600", "--gossip:interval", "2s"], env);
        var settings = SwarmConfiguration.Bind(configuration);
        Assert.Equal(7600, settings.Network.ListenPort);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.Gossip.Interval);
    }

    [Fact]
    public void A_bad_override_names_its_variable()
    {
        using var dir = new TempDirectory();
        var env = new Dictionary<string, string> { ["SWARM_NETWORK__LISTEN_PORT"] = "many" };
        var problem = Assert.Single(NodeConfig.BindFails(dir, NodeConfig.Minimal, env).Errors);
        Assert.Equal("environment variable SWARM_NETWORK__LISTEN_PORT", problem.Origin);
    }

    [Fact]
    public void A_malformed_switch_is_rejected()
    {
        var error = Assert.Throws<SettingsException>(() => SwarmSwitches.Parse(["--port=1"]));
        Assert.Contains("--section.key=value", error.Message, StringComparison.Ordinal);
        Assert.Throws<SettingsException>(() => SwarmSwitches.Parse(["network.listen-port=1"]));
    }

    [Fact]
    public void Settings_never_print_their_secrets()
    {
        var settings = new NodeSettings
        {
            Store = new StoreSettings { PostgresConnectionString = "Host=db;Password=hunter2" },
            Tls = new TlsSettings { KeyPassword = "s3cret-key-pw" },
        };
        var text = settings.ToString();
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-key-pw", text, StringComparison.Ordinal);
        Assert.Contains("PostgresConnectionString = <redacted>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_settings_are_marked_in_one_place()
    {
        Assert.Equal(["store.postgres-connection-string", "tls.key-password"], SecretSettings.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_scalar_where_a_section_belongs_is_an_error()
    {
        using var dir = new TempDirectory();
        var problem = Assert.Single(NodeConfig.BindFails(dir, NodeConfig.Minimal + "gossip = fast").Errors);
        Assert.Equal("gossip", problem.Key);
        Assert.Equal("expected an object (a section of settings), got \"fast\"", problem.Problem);
    }

    [Fact]
    public void A_null_or_an_array_where_a_value_belongs_is_an_error()
    {
        using var dir = new TempDirectory();
        var errors = NodeConfig.BindFails(dir, NodeConfig.Minimal + "store.kind = null\nhttp.port = [1, 2]").Errors;
        Assert.Contains(errors, e => e.Key == "store.kind" && e.Problem == "has no value (null)");
        Assert.Contains(errors, e => e.Key == "http.port" && e.Problem.StartsWith("expected a single value", StringComparison.Ordinal));
    }
}
