using Microsoft.Extensions.Configuration;
using Swarm.Node.Configuration;
using Swarm.Node.Configuration.Hocon;

namespace Swarm.Tests.Configuration;

public sealed class HoconConfigurationProviderTests
{
    [Fact]
    public void The_tree_is_flattened_to_colon_keys_with_arrays_by_index()
    {
        var configuration = new ConfigurationBuilder()
            .AddHoconString("a { b { c = 1 } }\nlist = [x, y]\ntimeout = 5s\nsize = 64MiB\nflag = true\nnothing = null", "flat.conf")
            .Build();
        Assert.Equal("1", configuration["a:b:c"]);
        Assert.Equal("x", configuration["list:0"]);
        Assert.Equal("y", configuration["list:1"]);
        Assert.Equal("5s", configuration["timeout"]);
        Assert.Equal("64MiB", configuration["size"]);
        Assert.Equal("true", configuration["flag"]);
        Assert.Null(configuration["nothing"]);
        Assert.Equal("flat.conf:3", ConfigurationOrigins.Describe(configuration, "timeout"));
    }

    [Fact]
    public void AddHoconFile_reads_a_file_and_a_later_source_overrides_it()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("app.conf", "a = 1\nb = 2");
        var configuration = new ConfigurationBuilder()
            .AddHoconFile(file)
            .AddInMemoryCollection([KeyValuePair.Create<string, string?>("b", "3")])
            .Build();
        Assert.Equal("1", configuration["a"]);
        Assert.Equal("3", configuration["b"]);
    }

    [Fact]
    public void Layers_are_merged_before_substitutions_are_resolved()
    {
        var configuration = new ConfigurationBuilder()
            .AddHoconLayers([HoconLayer.FromText("dir = /a\nfile = ${dir}\"/x\"", "one.conf"), HoconLayer.FromText("dir = /b", "two.conf")], _ => null)
            .Build();
        Assert.Equal("/b/x", configuration["file"]);
    }

    [Fact]
    public void Environment_keys_map_double_underscores_to_levels_and_underscores_to_dashes()
    {
        Assert.Equal("network:frame-bytes-max", SwarmEnvironmentVariablesSource.KeyOf("SWARM_NETWORK__FRAME_BYTES_MAX"));
        Assert.Null(SwarmEnvironmentVariablesSource.KeyOf("SWARM_NODE_ID"));
        Assert.Null(SwarmEnvironmentVariablesSource.KeyOf("OTHER_NETWORK__PORT"));
        Assert.Null(SwarmEnvironmentVariablesSource.KeyOf("SWARM___PORT"));
    }

    [Fact]
    public void Json_output_keeps_numbers_as_written()
    {
        var json = HoconRenderer.ToJson(Hocon.Load("a = 8.0\nb = 007\nc = -2").Root);
        Assert.Contains("\"a\": 8.0", json, StringComparison.Ordinal);
        Assert.Contains("\"b\": 7", json, StringComparison.Ordinal);
        Assert.Contains("\"c\": -2", json, StringComparison.Ordinal);
    }
}
