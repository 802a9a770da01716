using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Swarm.Node.Simulation;

/// <summary>A logger factory that appends one line per entry (time, level, category, message) to a file: the
/// protocol log of a simulation, kept apart from the progress display.</summary>
public sealed class FileLog : ILoggerFactory
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    public FileLog(string path, LogLevel minimum = LogLevel.Information)
    {
        Minimum = minimum;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        Directory.CreateDirectory(directory!);
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public LogLevel Minimum { get; }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("FileLog writes to its own file only");

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {level,-11} {category}: {message}");
        lock (_gate)
        {
            _writer.WriteLine(line);
            if (exception is not null)
            {
                _writer.WriteLine(exception.ToString());
            }
        }
    }

    private sealed class Logger(FileLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
