using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Security;
using Swarm.Node.Service;
using Swarm.Tests.Tasks;

namespace Swarm.Tests.Service;

/// <summary>The data directory and the private keys are the node user's only: the directory is created 0700 and an
/// existing one that others may enter is narrowed at start; a key file others may read stops the start.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class OwnerOnlyTests : IDisposable
{
    private const UnixFileMode Mode700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Mode755 = Mode700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "swarm-owner-" + Guid.NewGuid().ToString("N"));

    public OwnerOnlyTests() => Directory.CreateDirectory(_root);

    [Fact]
    public void A_new_data_directory_is_created_owner_only()
    {
        var dir = Path.Combine(_root, "data");

        Assert.Null(OwnerOnly.PrepareDataDirectory(dir, NullLogger.Instance));

        Assert.Equal(Mode700, File.GetUnixFileMode(dir));
    }

    [Fact]
    public async Task A_node_started_on_a_world_readable_data_directory_makes_it_owner_only()
    {
        var dir = Path.Combine(_root, "data");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, Mode755);

        await using var node = new ClusterNode(SoloNode.Settings(dir), NullLoggerFactory.Instance, TimeProvider.System);
        await node.StartAsync(CancellationToken.None);

        Assert.Equal(Mode700, File.GetUnixFileMode(dir));
        await node.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void Narrowing_reports_the_mode_the_directory_had()
    {
        var dir = Path.Combine(_root, "data");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, Mode755 | UnixFileMode.OtherWrite);

        Assert.Equal("0757", OwnerOnly.PrepareDataDirectory(dir, NullLogger.Instance));
        Assert.Equal(Mode700, File.GetUnixFileMode(dir));
    }

    [Fact]
    public void A_private_key_others_may_read_stops_the_start_naming_the_setting_the_file_and_the_fix()
    {
        var key = Path.Combine(_root, "node.key");
        File.WriteAllText(key, "-----BEGIN PRIVATE KEY-----\n");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = Assert.Throws<NodeStartException>(() => OwnerOnly.CheckKeyFile(key, "tls.key-path"));

        Assert.StartsWith($"tls.key-path '{key}' has mode 0644: other users may read or replace this private key (fix: chmod 600 '{key}'", error.Message, StringComparison.Ordinal);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        OwnerOnly.CheckKeyFile(key, "tls.key-path");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
