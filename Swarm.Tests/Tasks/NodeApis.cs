using Swarm.Node.Cli;
using Swarm.Node.Security;
using Swarm.Node.Service;

namespace Swarm.Tests.Tasks;

/// <summary>A started node's API with the admin token the node wrote into its data directory, as an operator's
/// <c>swarm task</c> finds it.</summary>
internal static class NodeApis
{
    public static NodeApi Of(ClusterNode node) =>
        new(node.HttpAddress!, AdminToken.ReadValue(node.AdminTokenPath!), node.AdminTokenPath!);

    /// <summary>A client that sends the node's admin token.</summary>
    public static HttpClient Client(ClusterNode node) => Of(node).CreateClient(TimeSpan.FromSeconds(60));
}
