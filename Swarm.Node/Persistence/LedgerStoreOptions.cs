using Npgsql;

namespace Swarm.Node.Persistence;

/// <summary>
/// Where a node keeps its ledgers: a <see cref="Kind"/> and its <see cref="Target"/> (the SQLite file path, the
/// PostgreSQL connection string, or nothing for memory). <see cref="ToString"/> never shows a password.
/// </summary>
public sealed record LedgerStoreOptions(LedgerStoreKind Kind, string Target)
{
    /// <summary>Reads a kind name (<c>sqlite</c>, <c>postgres</c>, <c>memory</c>) and its target, as configuration
    /// gives them. Throws <see cref="ArgumentException"/> naming the bad value and the accepted ones.</summary>
    public static LedgerStoreOptions Parse(string kind, string? target)
    {
        var parsed = kind?.Trim().ToLowerInvariant() switch
        {
            "sqlite" => LedgerStoreKind.Sqlite,
            "postgres" or "postgresql" => LedgerStoreKind.Postgres,
            "memory" => LedgerStoreKind.Memory,
            _ => throw new ArgumentException($"unknown ledger store kind '{kind}' (expected sqlite, postgres or memory)", nameof(kind)),
        };
        if (parsed != LedgerStoreKind.Memory && string.IsNullOrWhiteSpace(target))
        {
            throw new ArgumentException(
                parsed == LedgerStoreKind.Sqlite
                    ? "the sqlite ledger store needs a database file path"
                    : "the postgres ledger store needs a connection string (Host=...;Database=...;Username=...)",
                nameof(target));
        }
        return new LedgerStoreOptions(parsed, target ?? "");
    }

    /// <summary>The kind and target for logs and error messages, with any password removed.</summary>
    public override string ToString() => Kind switch
    {
        LedgerStoreKind.Sqlite => $"sqlite '{Target}'",
        LedgerStoreKind.Postgres => $"postgres {RedactPostgres(Target)}",
        _ => "memory",
    };

    /// <summary>A PostgreSQL connection string without its password (or a placeholder when it cannot be parsed,
    /// since an unparsable string might still contain one).</summary>
    public static string RedactPostgres(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (builder.Password is not null)
            {
                builder.Password = "***";
            }
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(connection string that cannot be parsed)";
        }
    }
}
