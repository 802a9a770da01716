using System.Text;

namespace Swarm.Node.Configuration;

/// <summary><c>store { kind, sqlite-path, postgres-connection-string }</c>.</summary>
public sealed record StoreSettings : ISettingsSection
{
    public StoreKind Kind { get; init; }

    public string SqlitePath { get; init; } = "";

    /// <summary>Holds the database password: a secret, never printed or logged.</summary>
    [Secret]
    public string PostgresConnectionString { get; init; } = "";

    public IEnumerable<SettingsProblem> CheckTogether()
    {
        if (Kind == StoreKind.Sqlite && string.IsNullOrWhiteSpace(SqlitePath))
        {
            yield return new SettingsProblem("sqlite-path", "a value is required when store.kind = sqlite", "set store.sqlite-path to the ledger file, e.g. ${node.data-dir}\"/ledger.db\"");
        }
        if (Kind == StoreKind.Postgres && string.IsNullOrWhiteSpace(PostgresConnectionString))
        {
            yield return new SettingsProblem("postgres-connection-string", "a value is required when store.kind = postgres",
                "set the environment variable SWARM_POSTGRES_CONNECTION_STRING (keep passwords out of files)");
        }
    }

    // Records print every property; this one prints the secret as <redacted>.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Kind = {Kind}, SqlitePath = {SqlitePath}, PostgresConnectionString = {Redaction.Of(PostgresConnectionString)}");
        return true;
    }
}
