using System.Text;

namespace Swarm.Node.Configuration;

/// <summary><c>tls { cert-path, key-path, key-password }</c>: the node's certificate for the peer transport.</summary>
public sealed record TlsSettings : ISettingsSection
{
    public string CertPath { get; init; } = "";

    public string KeyPath { get; init; } = "";

    /// <summary>Unlocks an encrypted private key file: a secret, never printed or logged.</summary>
    [Secret]
    public string KeyPassword { get; init; } = "";

    public IEnumerable<SettingsProblem> CheckTogether()
    {
        if (string.IsNullOrEmpty(CertPath) != string.IsNullOrEmpty(KeyPath))
        {
            var missing = string.IsNullOrEmpty(CertPath) ? "cert-path" : "key-path";
            yield return new SettingsProblem(missing, "is empty while the other TLS file is set", "set both tls.cert-path and tls.key-path, or neither");
        }
    }

    // Records print every property; this one prints the secret as <redacted>.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"CertPath = {CertPath}, KeyPath = {KeyPath}, KeyPassword = {Redaction.Of(KeyPassword)}");
        return true;
    }
}
