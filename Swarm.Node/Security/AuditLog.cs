using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Swarm.Node.Security;

/// <summary>
/// The node's audit log, <c>&lt;node.data-dir&gt;/audit.log</c>: one JSON object per line (<see cref="AuditRecord"/>)
/// for every task an operator submitted, approved, rejected or cancelled, every task a peer proposed and what this
/// node answered, and every request refused for want of the admin token. The file is only ever appended to (opened
/// in append mode for each record, so an operator's log rotation by rename is picked up at the next record) and
/// created owner-only. Records hold ids, names and reasons, never request headers, so the admin token cannot land
/// in it. A record that cannot be written is reported in the node's log; the action itself is not undone.
/// </summary>
public sealed class AuditLog(string path, TimeProvider time, ILogger log)
{
    /// <summary>The file's name inside the data directory.</summary>
    public const string FileName = "audit.log";

    /// <summary>Longest reason or detail kept in a record (a reason comes from a client or a peer).</summary>
    public const int DetailCharsMax = 2048;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        // The file is read by people and log tools, never put into HTML: quotes and non-ASCII (ε, δ in reasons) stay
        // as they are; control characters are still escaped, so a reason cannot start a line of its own.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Lock _gate = new();

    public string Path { get; } = path;

    /// <summary>The audit log of the node whose data directory is <paramref name="dataDir"/>.</summary>
    public static AuditLog In(string dataDir, TimeProvider time, ILogger log) => new(System.IO.Path.Combine(dataDir, FileName), time, log);

    /// <summary>Appends one record, stamped with the node's clock.</summary>
    public void Record(string action, string task, string actor, string outcome, string? detail = null, string? client = null)
    {
        var record = new AuditRecord(time.GetUtcNow(), action, task, actor, outcome, Clip(detail), client);
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, Json) + "\n");
        try
        {
            lock (_gate)
            {
                var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }
                using var stream = new FileStream(Path, options);
                stream.Write(line);
                stream.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogError("cannot append to the audit log {Path}: {Error} (record: {Action} {Task} by {Actor}: {Outcome})",
                Path, e.Message, action, task, actor, outcome);
        }
    }

    private static string? Clip(string? text) => text is { Length: > DetailCharsMax } ? text[..DetailCharsMax] + "…" : text;
}
