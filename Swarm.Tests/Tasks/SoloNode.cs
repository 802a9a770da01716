using System.Threading.Channels;
using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Configuration;
using Swarm.Node.Service;

namespace Swarm.Tests.Tasks;

/// <summary>Settings of a node that runs alone (its only member, no transport) in a test folder, with the real
/// data source (PneumoniaMNIST, site 0 of 2 of the first 200 training images) and HTTP on a free port.</summary>
internal static class SoloNode
{
    public static NodeSettings Settings(string dir, Func<PolicySettings, PolicySettings>? policy = null)
    {
        var environment = new Dictionary<string, string> { ["SWARM_NODE__ID"] = "solo" };
        var settings = SwarmConfiguration.Bind(SwarmConfiguration.Build(null, [], environment));
        var set = new DataSetSettings { Partition = DataPartition.Iid, Alpha = 1, Sites = 2, SiteIndex = 0, Seed = 1, TrainLimit = 200 };
        var allowed = settings.Policy with { AllowedDatasets = ["pneumoniamnist"] };
        return settings with
        {
            Node = new NodeIdentitySettings { Id = "solo", DataDir = dir },
            Store = settings.Store with { SqlitePath = Path.Combine(dir, "ledger.db") },
            Http = new HttpSettings { Port = 0 },
            Policy = policy is null ? allowed : policy(allowed),
            Data = new DataSettings { Sets = new Dictionary<string, DataSetSettings> { ["pneumoniamnist"] = set } },
        };
    }

    /// <summary>Writes a three-round spec for the solo node and returns its path.</summary>
    public static string SpecFile(string dir, string id, string dataset = "pneumoniamnist")
    {
        var path = Path.Combine(dir, id + ".conf");
        File.WriteAllText(path, $"task {{\n  id = {id}\n  model = smallcnn\n  participants = [solo]\n  datasets.solo = {dataset}\n  rounds = 3\n}}\n");
        return path;
    }

    /// <summary>Starts the solo node with a <see cref="FakeTaskPeer"/> in place of each task's round protocol, so a
    /// test sees what the node launches without training.</summary>
    public static async Task<ClusterNode> StartWithFakePeersAsync(
        string dir, ChannelWriter<FakeTaskPeer.Event> events, Func<PolicySettings, PolicySettings>? policy = null)
    {
        var node = new ClusterNode(Settings(dir, policy), NullLoggerFactory.Instance, TimeProvider.System,
            launch => Props.Create(() => new FakeTaskPeer("solo", launch, events)));
        await node.StartAsync(CancellationToken.None);
        return node;
    }
}
