using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Swarm.Node.Tasks;
using Swarm.Node.Identity;

namespace Swarm.Node.Simulation;

/// <summary>
/// A cluster of real <c>swarm node</c> processes on loopback, prepared as an operator would: an identity per node,
/// a consortium file pinning every node's key (with the key itself, which task chains need), and a node.conf each
/// with its peer and HTTP ports, its SQLite store, a policy that allows the data set, and its share of the data
/// (<c>data.sets</c>, cut exactly as the in-process simulation cuts it). Nodes talk mutual TLS; this class only
/// starts, kills and restarts processes and reads their HTTP endpoints. <c>swarm simulate --processes</c> and the
/// process tests use it.
/// </summary>
public sealed class LocalCluster : IDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Process?[] _processes;
    private readonly ConcurrentQueue<string>[] _output;
    private readonly bool _keep;

    /// <param name="root">The folder that holds everything (created).</param>
    /// <param name="size">Number of nodes (node-a, node-b, ...).</param>
    /// <param name="peerPortBase">Node i listens for blobs on peerPortBase + i, for the cluster on peerPortBase + 1000 + i
    /// (the default network.cluster-port-offset) and for HTTP on peerPortBase + 100 + i.</param>
    /// <param name="nodeConfig">Extra HOCON each node's file ends with (its policy and data), given the node index.</param>
    /// <param name="keep">Keep the folder on dispose (a report points into it).</param>
    public LocalCluster(string root, int size, int peerPortBase, Func<int, string> nodeConfig, bool keep = false)
    {
        Root = Path.GetFullPath(root);
        _keep = keep;
        Directory.CreateDirectory(Root);
        Names = [.. Enumerable.Range(0, size).Select(i => $"node-{(char)('a' + i)}")];
        PeerPortBase = peerPortBase;
        _processes = new Process?[size];
        _output = [.. Enumerable.Range(0, size).Select(_ => new ConcurrentQueue<string>())];
        var members = new List<ConsortiumMember>();
        for (var i = 0; i < size; i++)
        {
            using var identity = NodeIdentity.Create(Names[i], validityYears: 1);
            identity.Save(NodeDirectory(i), overwrite: true);
            members.Add(identity.ToMember($"127.0.0.1:{peerPortBase + i}"));
        }
        ConsortiumFile.Save(ConsortiumPath, new Consortium("local-cluster", members));
        for (var i = 0; i < size; i++)
        {
            File.WriteAllText(ConfigPath(i), NodeConf(i) + nodeConfig(i));
        }
    }

    public string Root { get; }

    public IReadOnlyList<string> Names { get; }

    public int PeerPortBase { get; }

    public string ConsortiumPath => Path.Combine(Root, "consortium.conf");

    public string NodeDirectory(int index) => Path.Combine(Root, Names[index]);

    public string DataDirectory(int index) => Path.Combine(NodeDirectory(index), "data");

    public string ConfigPath(int index) => Path.Combine(Root, Names[index] + ".conf");

    public Uri HttpAddress(int index) => new($"http://127.0.0.1:{PeerPortBase + 100 + index}");

    public bool IsRunning(int index) => _processes[index] is { HasExited: false };

    /// <summary>Starts node <paramref name="index"/> (again): <c>swarm node --config FILE</c> with the dotnet host
    /// and the swarm.dll this process runs from.</summary>
    public void Start(int index)
    {
        if (IsRunning(index))
        {
            throw new InvalidOperationException($"{Names[index]} is running");
        }
        _processes[index]?.Dispose();
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "swarm.dll"), "node", "--config", ConfigPath(index) })
        {
            start.ArgumentList.Add(argument);
        }
        var process = new Process { StartInfo = start };
        var output = _output[index];
        // Each node's output also goes to <root>/<node>.log (appended across restarts).
        var log = new StreamWriter(Path.Combine(Root, Names[index] + ".log"), append: true) { AutoFlush = true };
        var gate = new Lock();
        var streamsOpen = 2;
        // Exited can fire before the last redirected lines arrive, so the log closes only after both streams
        // have ended (each ends with a null line); a line written to a closed log would crash this process.
        void Write(string? line)
        {
            Keep(output, line);
            lock (gate)
            {
                if (line is not null)
                {
                    log.WriteLine(line);
                }
                else if (--streamsOpen == 0)
                {
                    log.Dispose();
                }
            }
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.EnableRaisingEvents = true;
        if (!process.Start())
        {
            throw new InvalidOperationException($"swarm node {Names[index]} did not start");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[index] = process;
    }

    /// <summary>SIGKILL: the node gets no chance to close anything.</summary>
    public void Kill(int index)
    {
        if (_processes[index] is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>Waits until node <paramref name="index"/> answers /health.</summary>
    public async Task WaitHealthyAsync(int index, TimeSpan timeout, CancellationToken cancellation = default)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync(new Uri(HttpAddress(index), "/health"), cancellation).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (!IsRunning(index))
            {
                throw new InvalidOperationException($"{Names[index]} exited while starting:\n{Output(index)}");
            }
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"{Names[index]} did not answer /health within {timeout}:\n{Output(index)}");
            }
            await Task.Delay(100, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>POST /tasks on node <paramref name="index"/>: the HTTP status and the answer's JSON text.</summary>
    public async Task<(int Status, string Body)> SubmitAsync(int index, string specText, CancellationToken cancellation = default)
    {
        using var request = Authorized(index, HttpMethod.Post, "/tasks");
        request.Content = TaskEndpoints.SubmitContent(specText);
        using var response = await Http.SendAsync(request, cancellation).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false));
    }

    /// <summary>GET /tasks/{id} on node <paramref name="index"/>, or null while the node does not answer.</summary>
    public async Task<T?> ShowAsync<T>(int index, string taskId, System.Text.Json.JsonSerializerOptions options, CancellationToken cancellation = default)
        where T : class
    {
        try
        {
            using var request = Authorized(index, HttpMethod.Get, "/tasks/" + Uri.EscapeDataString(taskId));
            using var response = await Http.SendAsync(request, cancellation).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<T>(options, cancellation).ConfigureAwait(false) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>A request to node <paramref name="index"/> with its admin token, read from its data directory (the node
    /// writes it there on its first start), as <c>swarm task</c> sends it.</summary>
    private HttpRequestMessage Authorized(int index, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(HttpAddress(index), path));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            Security.AdminToken.ReadValue(Security.AdminToken.PathIn(DataDirectory(index))));
        return request;
    }

    /// <summary>The last lines node <paramref name="index"/> wrote.</summary>
    public string Output(int index, int lines = 60) => $"--- {Names[index]} ---\n" + string.Join("\n", _output[index].TakeLast(lines));

    /// <summary>The last warnings and errors node <paramref name="index"/> wrote in all its lives (from its log file, so
    /// also those that later lines pushed out of <see cref="Output"/>): what a stalled run is diagnosed from.</summary>
    public string Warnings(int index, int lines = 40)
    {
        var path = Path.Combine(Root, Names[index] + ".log");
        var found = new List<string>();
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (line.Contains(" warn:", StringComparison.Ordinal) || line.Contains(" fail:", StringComparison.Ordinal)
                    || line.Contains(" crit:", StringComparison.Ordinal) || line.Contains("Application started", StringComparison.Ordinal))
                {
                    found.Add(line.Length > 400 ? line[..400] + " …" : line);
                }
            }
        }
        catch (IOException e)
        {
            found.Add($"(log {path} unreadable: {e.Message})");
        }
        return $"--- {Names[index]}: warnings and starts ---\n" + string.Join("\n", found.TakeLast(lines));
    }

    public void Dispose()
    {
        for (var i = 0; i < _processes.Length; i++)
        {
            Kill(i);
            _processes[i]?.Dispose();
        }
        if (!_keep && Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private string NodeConf(int i)
    {
        var dir = NodeDirectory(i);
        return string.Create(CultureInfo.InvariantCulture, $$"""
            node { id = "{{Names[i]}}", data-dir = "{{dir}}/data", signing-key-path = "{{dir}}/signing.key" }
            store { sqlite-path = "{{dir}}/data/node.sqlite" }
            network { listen-host = "127.0.0.1", listen-port = {{PeerPortBase + i}}, reconnect-backoff-min = 50ms, reconnect-backoff-max = 1s }
            tls { cert-path = "{{dir}}/node.crt", key-path = "{{dir}}/node.key" }
            consortium { file = "{{ConsortiumPath}}" }
            gossip { interval = 200ms, phi-threshold = 8, acceptable-heartbeat-pause = 2s, min-std-deviation = 100ms, down-after = 5s }
            http { port = {{PeerPortBase + 100 + i}} }
            logging { level = information }

            """);
    }

    private static void Keep(ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }
        output.Enqueue(line);
        while (output.Count > 2000)
        {
            output.TryDequeue(out _);
        }
    }

    /// <summary>The dotnet host running this process (tests and the CLI both run through it), else the one on PATH.</summary>
    public static string DotnetHost() =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet"
            ? Environment.ProcessPath!
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
}
