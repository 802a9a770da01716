using System.Text.RegularExpressions;

namespace Swarm.Node.Configuration;

/// <summary><c>node { id, data-dir, signing-key-path }</c>: who this node is, where it keeps its files and the key it
/// signs with.</summary>
public sealed partial record NodeIdentitySettings : ISettingsSection
{
    /// <summary>The node's name in the consortium and the host part of its actor addresses (swarm://id/...).</summary>
    [RequiredSetting("set node.id to this institution's unique name, e.g. node.id = \"hospital-a\" (or SWARM_NODE_ID)")]
    public string Id { get; init; } = "";

    [RequiredSetting("set node.data-dir to a writable directory, e.g. node.data-dir = \"/var/lib/swarm\"")]
    public string DataDir { get; init; } = "";

    /// <summary>The node's Ed25519 private key (PKCS#8 PEM); needed, like <c>tls</c>, by a node in a consortium.</summary>
    public string SigningKeyPath { get; init; } = "";

    public IEnumerable<SettingsProblem> CheckTogether()
    {
        if (Id.Length > 0 && !IdPattern().IsMatch(Id))
        {
            yield return new SettingsProblem("id", $"\"{Id}\" is not a valid node id",
                "use 1 to 63 lower-case letters, digits or '-', starting with a letter or digit (it appears in swarm:// addresses)");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex IdPattern();
}
