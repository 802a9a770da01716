using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Swarm.Consensus.Storage;
using Swarm.Node.Cli;

namespace Swarm.Node.Persistence;

/// <summary>
/// <c>swarm bench ledger</c>: durable appends per second and append latency of the SQLite store (and of PostgreSQL
/// when a server is given), against the in-memory store measured in the same run as the baseline. Every append is
/// a real commit (fsync for SQLite, a synchronous commit for PostgreSQL), so the disk sets the pace.
/// </summary>
public static class LedgerBenchCommand
{
    private const int WarmUpBlocks = 200;

    public static Command Create()
    {
        var blocks = new Option<int>("--blocks") { Description = "Blocks appended per store.", DefaultValueFactory = _ => 1000 };
        var blockBytes = new Option<int>("--block-bytes") { Description = "Size of each block.", DefaultValueFactory = _ => 4096 };
        var postgres = new Option<string?>("--postgres")
        {
            Description = "Npgsql connection string of a PostgreSQL to measure too (default: SWARM_TEST_POSTGRES when set).",
        };
        var command = new Command("ledger", "Ledger appends/s and append latency: in-memory baseline, SQLite, PostgreSQL.");
        command.Options.Add(blocks);
        command.Options.Add(blockBytes);
        command.Options.Add(postgres);
        command.SetAction(parse => Run(parse.GetValue(blocks), parse.GetValue(blockBytes),
            parse.GetValue(postgres) ?? Environment.GetEnvironmentVariable("SWARM_TEST_POSTGRES")));
        return command;
    }

    private static int Run(int blockCount, int blockBytes, string? postgres)
    {
        if (blockCount < 1 || blockBytes < 0 || blockBytes > LedgerLimits.BlockBytesMax)
        {
            Console.Error.WriteLine($"swarm bench ledger: --blocks must be ≥ 1 and --block-bytes within 0..{LedgerLimits.BlockBytesMax}");
            return ExitCodes.Usage;
        }
        var chain = MakeChain(blockCount, blockBytes);
        Console.WriteLine($"ledger bench: {blockCount} appends of {blockBytes} B blocks per store, {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"store",-10} {"appends/s",12} {"p50 ms",9} {"p99 ms",9} {"vs memory",10}");
        var directory = Path.Combine(Path.GetTempPath(), "swarm-bench-ledger-" + Guid.NewGuid().ToString("N"));
        try
        {
            var sqlitePath = Path.Combine(directory, "ledger.db");
            // Warm-up on a chain of its own, so that the first measured appends do not pay for JIT and connections.
            Measure(new InMemoryLedgerStore("warm-up"), chain[..Math.Min(chain.Count, WarmUpBlocks)]);
            Measure(SqliteLedgerStore.Open(sqlitePath, "warm-up"), chain[..Math.Min(chain.Count, WarmUpBlocks)]);
            var baseline = Report("memory", Measure(new InMemoryLedgerStore("bench"), chain), null);
            Report("sqlite", Measure(SqliteLedgerStore.Open(sqlitePath, "bench"), chain), baseline);
            if (!string.IsNullOrWhiteSpace(postgres))
            {
                MeasurePostgres(postgres, chain, baseline);
            }
            else
            {
                Console.WriteLine("postgres   (skipped: give --postgres or set SWARM_TEST_POSTGRES)");
            }
            return ExitCodes.Ok;
        }
        catch (LedgerException e)
        {
            Console.Error.WriteLine($"swarm bench ledger: {e.Message}");
            return ExitCodes.Environment;
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Measures PostgreSQL in a schema of its own, dropped afterwards, so a shared database stays clean.</summary>
    private static void MeasurePostgres(string connectionString, List<StoredBlock> chain, Result baseline)
    {
        var schema = "ledger_bench_" + Guid.NewGuid().ToString("N");
        ExecutePostgres(connectionString, $"CREATE SCHEMA {schema};");
        try
        {
            var inSchema = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString;
            Report("postgres", Measure(PostgresLedgerStore.Open(inSchema, "bench"), chain), baseline);
        }
        finally
        {
            ExecutePostgres(connectionString, $"DROP SCHEMA {schema} CASCADE;");
        }
    }

    private static void ExecutePostgres(string connectionString, string sql)
    {
        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var command = new NpgsqlCommand(sql, connection);
            command.ExecuteNonQuery();
        }
        catch (NpgsqlException e)
        {
            throw new LedgerException($"PostgreSQL at {LedgerStoreOptions.RedactPostgres(connectionString)}: {e.Message}", e);
        }
    }

    private static List<StoredBlock> MakeChain(int count, int blockBytes)
    {
        var random = new Random(42);
        var chain = new List<StoredBlock>(count);
        LedgerHead? head = null;
        for (var i = 0; i < count; i++)
        {
            var bytes = new byte[blockBytes];
            random.NextBytes(bytes);
            var block = head is null ? StoredBlock.Genesis(bytes, new byte[216]) : StoredBlock.After(head, bytes, new byte[216]);
            chain.Add(block);
            head = block.AsHead();
        }
        return chain;
    }

    private static Result Measure(ILedgerStore store, List<StoredBlock> chain)
    {
        using (store)
        {
            var latencies = new double[chain.Count];
            var total = Stopwatch.StartNew();
            for (var i = 0; i < chain.Count; i++)
            {
                var start = Stopwatch.GetTimestamp();
                store.Append(chain[i]);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            total.Stop();
            Array.Sort(latencies);
            return new Result(chain.Count / total.Elapsed.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
        }
    }

    private static double Percentile(double[] sorted, double fraction) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];

    private static Result Report(string name, Result result, Result? baseline)
    {
        var ratio = baseline is null ? "1.00x" : (result.AppendsPerSecond / baseline.AppendsPerSecond).ToString("0.0000", CultureInfo.InvariantCulture) + "x";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-10} {result.AppendsPerSecond,12:F0} {result.P50Milliseconds,9:F3} {result.P99Milliseconds,9:F3} {ratio,10}"));
        return result;
    }

    private sealed record Result(double AppendsPerSecond, double P50Milliseconds, double P99Milliseconds);
}
