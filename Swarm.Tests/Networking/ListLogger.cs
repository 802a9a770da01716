using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Swarm.Tests.Networking;

/// <summary>Keeps every log line so tests can wait for a specific one (no sleeps).</summary>
public sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<string> Lines => _lines;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
        lock (_gate)
        {
            var added = _added;
            _added = new(TaskCreationOptions.RunContinuationsAsynchronously);
            added.SetResult();
        }
    }

    public async Task<string> WaitForAsync(Func<string, bool> match, string phase, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            Task added;
            lock (_gate)
            {
                added = _added.Task;
            }
            var line = _lines.FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }
            try
            {
                await added.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{phase}: no matching log line; lines were:\n{string.Join('\n', _lines)}");
            }
        }
    }
}
