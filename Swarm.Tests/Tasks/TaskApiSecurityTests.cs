using System.Net;
using System.Threading.Channels;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Cli;
using Swarm.Node.Security;
using Swarm.Node.Service;
using Swarm.Node.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>The node's HTTP API against a local user or process that does not hold the node's admin token, and
/// against oversized bodies; the token file itself; and the audit log of what reached the endpoints.</summary>
public sealed class TaskApiSecurityTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string _dir => _temp.Path;
    private readonly Channel<FakeTaskPeer.Event> _events = Channel.CreateUnbounded<FakeTaskPeer.Event>();

    [Fact]
    public async Task Without_the_admin_token_or_with_a_wrong_one_every_task_endpoint_answers_401_and_nothing_changes()
    {
        await using var node = await StartAsync();
        var url = node.HttpAddress!;
        var spec = File.ReadAllText(SoloNode.SpecFile(_dir, "solo-1"));
        using var anonymous = new HttpClient();
        using var wrong = new HttpClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new string('0', 64));
        using var basic = new HttpClient();
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "b3BlcmF0b3I6eA==");

        foreach (var (client, expected) in new[] { (anonymous, "needs the node's admin token"), (wrong, "the admin token is wrong"), (basic, "must be 'Bearer") })
        {
            foreach (var path in new[] { "/tasks", "/tasks/solo-1/cancel", "/tasks/solo-1/approve", "/tasks/solo-1/reject" })
            {
                using var post = await client.PostAsync(new Uri(url, path), TaskEndpoints.SubmitContent(spec));
                Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
                Assert.Equal("Bearer", Assert.Single(post.Headers.WwwAuthenticate).Scheme);
                Assert.Contains(expected, (await post.Content.ReadFromJsonAsync<TaskError>(TaskJson.Options))!.Error, StringComparison.Ordinal);
            }
            using var list = await client.GetAsync(new Uri(url, "/tasks"));
            Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
            // Ranking sources reads every chain's metadata and model hash and runs models over the node's data.
            using var similar = await client.GetAsync(new Uri(url, "/tasks/solo-1/similar"));
            Assert.Equal(HttpStatusCode.Unauthorized, similar.StatusCode);
        }

        // Read-only health and metrics stay open on loopback.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri(url, "/health"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri(url, "/metrics"))).StatusCode);
        using var operatorClient = NodeApis.Client(node);
        Assert.Empty((await operatorClient.GetFromJsonAsync<TaskList>(new Uri(url, "/tasks"), TaskJson.Options))!.Tasks);
        var audit = File.ReadAllText(Path.Combine(_dir, AuditLog.FileName));
        Assert.Contains("\"actor\":\"anonymous\",\"outcome\":\"denied\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('0', 64), audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swarm_task_with_another_nodes_token_fails_with_the_reason_and_a_missing_token_file_is_named()
    {
        await using var node = await StartAsync();
        var otherToken = Path.Combine(_dir, "other.token");
        File.WriteAllText(otherToken, new string('a', 64));
        var error = new StringWriter();

        var code = await TaskCommand.ListAsync(new NodeApi(node.HttpAddress!, new string('a', 64), otherToken), TextWriter.Null, error, CancellationToken.None);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("swarm task list: the admin token is wrong", error.ToString(), StringComparison.Ordinal);
        Assert.Contains($"sent the token of {otherToken}", error.ToString(), StringComparison.Ordinal);

        error = new StringWriter();
        var console = Console.Error;
        Console.SetError(error);
        var missing = Path.Combine(_dir, "nowhere.token");
        try
        {
            Assert.Equal(ExitCodes.Failure, SwarmCli.Run(["task", "list", "--to", node.HttpAddress!.ToString(), "--token-file", missing]));
            // The real command line with the node's token file lists the tasks, and so does one given only the node's
            // configuration (its http.port, and the token in its node.data-dir).
            Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["task", "list", "--to", node.HttpAddress!.ToString(), "--token-file", node.AdminTokenPath!]));
            var config = Path.Combine(_dir, "node.conf");
            File.WriteAllText(config, $"node {{ id = solo, data-dir = \"{_dir}\" }}\nhttp.port = {node.HttpAddress!.Port}\n");
            Assert.Equal(ExitCodes.Ok, SwarmCli.Run(["task", "list", "--to", config]));
        }
        finally
        {
            Console.SetError(console);
        }
        Assert.Contains($"swarm task list: cannot read the node's admin token", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(missing, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413_whether_its_length_is_declared_or_not()
    {
        await using var node = await StartAsync();
        var url = node.HttpAddress!;
        var token = AdminToken.ReadValue(node.AdminTokenPath!);
        var huge = System.Text.Encoding.UTF8.GetBytes("{\"spec\": \"" + new string('x', TaskEndpoints.BodyBytesMax) + "\"}");

        var declared = await RawPostAsync(url, "/tasks", token, huge, chunked: false);
        Assert.Equal(413, declared.Status);
        Assert.Contains($"at most {TaskEndpoints.BodyBytesMax} are accepted", declared.Body, StringComparison.Ordinal);

        var streamed = await RawPostAsync(url, "/tasks/solo-1/cancel", token, huge, chunked: true);
        Assert.Equal(413, streamed.Status);
        Assert.Contains($"longer than {TaskEndpoints.BodyBytesMax} bytes", streamed.Body, StringComparison.Ordinal);

        // A chunked body just under the limit is read whole: its spec is refused for what it says (400), not for
        // its length. Kestrel counts the chunks' framing against its own limit, which once cut such bodies off.
        var fits = System.Text.Encoding.UTF8.GetBytes("{\"spec\": \"" + new string('x', TaskEndpoints.BodyBytesMax - 64) + "\"}");
        var fitted = await RawPostAsync(url, "/tasks", token, fits, chunked: true);
        Assert.Equal(400, fitted.Status);
        Assert.Contains("\"started\":false", fitted.Body, StringComparison.Ordinal);

        using var http = NodeApis.Client(node);
        Assert.Empty((await http.GetFromJsonAsync<TaskList>(new Uri(url, "/tasks"), TaskJson.Options))!.Tasks);
    }

    /// <summary>Posts <paramref name="body"/> over a plain socket and reads the node's answer whatever becomes of the
    /// body. The node may answer and close before the body is all sent, which is the refusal under test; an HTTP
    /// client library then reports the broken pipe of its unfinished upload instead of the answer (CI saw this once).
    /// The answer is read from the socket, where it arrived before the close.</summary>
    private static async Task<(int Status, string Body)> RawPostAsync(Uri url, string path, string token, byte[] body, bool chunked)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(url.Host, url.Port, timeout.Token);
        var stream = tcp.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: {url.Authority}\r\nAuthorization: Bearer {token}\r\n" +
            "Content-Type: application/json\r\nConnection: close\r\n" +
            (chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {body.Length}\r\n") + "\r\n";
        var send = Task.Run(async () =>
        {
            try
            {
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head), timeout.Token);
                if (!chunked)
                {
                    await stream.WriteAsync(body, timeout.Token);
                    return;
                }
                for (var at = 0; at < body.Length; at += 16 * 1024)
                {
                    var piece = body.AsMemory(at, Math.Min(16 * 1024, body.Length - at));
                    await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{piece.Length:x}\r\n"), timeout.Token);
                    await stream.WriteAsync(piece, timeout.Token);
                    await stream.WriteAsync("\r\n"u8.ToArray(), timeout.Token);
                }
                await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), timeout.Token);
            }
            catch (IOException)
            {
                // The node answered and closed before the whole body was sent.
            }
        });

        var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException) when (received.Length > 0)
        {
            // A reset after the answer: everything the node sent before it has been read.
        }
        await send;

        var bytes = received.ToArray();
        var headEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(headEnd > 0, $"no complete answer to POST {path}: '{System.Text.Encoding.UTF8.GetString(bytes)}'");
        var headers = System.Text.Encoding.ASCII.GetString(bytes, 0, headEnd);
        var status = int.Parse(headers.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        var payload = bytes.AsMemory(headEnd + 4);
        if (headers.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            var joined = new MemoryStream();
            for (var rest = payload; ;)
            {
                var lineEnd = rest.Span.IndexOf("\r\n"u8);
                var size = Convert.ToInt32(System.Text.Encoding.ASCII.GetString(rest.Span[..lineEnd]), 16);
                if (size == 0)
                {
                    break;
                }
                joined.Write(rest.Span.Slice(lineEnd + 2, size));
                rest = rest[(lineEnd + 2 + size + 2)..];
            }
            payload = joined.ToArray();
        }
        var content = System.Text.Encoding.UTF8.GetString(payload.Span);
        return (status, content);
    }

    [Fact]
    public async Task The_admin_token_is_created_owner_only_and_kept_and_a_token_file_others_can_read_stops_the_start()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        string token;
        await using (var node = await StartAsync())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(node.AdminTokenPath!));
            token = AdminToken.ReadValue(node.AdminTokenPath!);
            Assert.Matches("^[0-9a-f]{64}$", token);
        }
        await using (var again = await StartAsync())
        {
            Assert.Equal(token, AdminToken.ReadValue(again.AdminTokenPath!));
        }

        var path = AdminToken.PathIn(_dir);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var exposed = new ClusterNode(SoloNode.Settings(_dir), NullLoggerFactory.Instance, TimeProvider.System);

        var refused = await Assert.ThrowsAsync<NodeStartException>(() => exposed.StartAsync(CancellationToken.None));

        Assert.Contains("has mode 0644: other users may read or change it", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 '{path}'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_token_check_accepts_the_token_itself_and_nothing_else()
    {
        var token = AdminToken.LoadOrCreate(_dir);
        var value = AdminToken.ReadValue(token.Path);

        Assert.True(token.Matches(value));
        Assert.False(token.Matches(value + "0"));
        Assert.False(token.Matches(value[..^1]));
        Assert.False(token.Matches(value.ToUpperInvariant()));
        Assert.False(token.Matches(""));
        Assert.False(token.Matches(null));
        Assert.DoesNotContain(value, token.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_log_records_who_submitted_and_cancelled_what_and_how_it_ended_without_the_token()
    {
        await using var node = await StartAsync();
        var api = NodeApis.Of(node);

        Assert.Equal(ExitCodes.Ok, await TaskCommand.SubmitAsync(api, SoloNode.SpecFile(_dir, "solo-2"), TextWriter.Null, TextWriter.Null, CancellationToken.None));
        Assert.Equal(ExitCodes.Failure, await TaskCommand.SubmitAsync(api, SoloNode.SpecFile(_dir, "solo-3", "breastmnist"), TextWriter.Null, TextWriter.Null, CancellationToken.None));
        Assert.Equal(ExitCodes.Ok, await TaskCommand.CancelAsync(api, "solo-2", "enough\n{\"action\":\"forged\"}", TextWriter.Null, TextWriter.Null, CancellationToken.None));

        var lines = File.ReadAllLines(Path.Combine(_dir, AuditLog.FileName));
        var records = lines.Select(l => System.Text.Json.JsonSerializer.Deserialize<AuditRecord>(l, TaskJson.Options)!).ToList();
        var submitted = Assert.Single(records, r => r is { Action: "submit", Task: "solo-2" });
        Assert.Equal("started", submitted.Outcome);
        Assert.StartsWith("operator", submitted.Actor, StringComparison.Ordinal);
        Assert.StartsWith("127.0.0.1:", submitted.Client, StringComparison.Ordinal);
        var refused = Assert.Single(records, r => r is { Action: "submit", Task: "solo-3" });
        Assert.Equal("refused", refused.Outcome);
        Assert.Contains("data set 'breastmnist' is not allowed on node 'solo' (policy.allowed-datasets)", refused.Detail, StringComparison.Ordinal);
        var cancelled = Assert.Single(records, r => r.Action == "cancel");
        // A reason with a line break stays inside its record: every line above parsed as one record.
        Assert.Equal(("solo-2", "cancelled", "enough\n{\"action\":\"forged\"}"), (cancelled.Task, cancelled.Outcome, cancelled.Detail));
        // The node's own answer to the proposal (its manager is a participant too) is there as well.
        Assert.Contains(records, r => r is { Action: "propose", Task: "solo-2", Actor: "node:solo", Outcome: "consented" });
        Assert.All(lines, l => Assert.DoesNotContain(api.Token, l, StringComparison.Ordinal));
    }

    private Task<ClusterNode> StartAsync() => SoloNode.StartWithFakePeersAsync(_dir, _events.Writer);

    public void Dispose() => _temp.Dispose();
}
