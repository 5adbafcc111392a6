using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Workshop.Toolkit.Diagnostics;

/// <summary>
/// One second of a process's runtime counters, as <c>dotnet-counters</c> reads them over EventPipe (the runtime's
/// <c>System.Runtime</c> event counters): what a leak, a starvation or an allocation storm looks like from outside.
/// </summary>
/// <param name="Time">When the runtime published them (the tool's clock, to the second).</param>
/// <param name="HeapMegabytes">GC heap size (MB): grows without end under a leak.</param>
/// <param name="AllocatedBytesPerSecond">Bytes allocated in the last second.</param>
/// <param name="ThreadPoolQueue">Work items waiting for a thread-pool thread: grows when the pool is starved.</param>
/// <param name="ThreadPoolThreads">Thread-pool threads: climbs by about one a second when blocked threads starve the pool.</param>
/// <param name="Gen2PerSecond">Full (gen 2) collections in the last second.</param>
/// <param name="TimeInGcPercent">Share of the time since the last collection spent in it.</param>
/// <param name="WorkingSetMegabytes">The process's resident memory (MB).</param>
public sealed record CounterSample(DateTime Time, double HeapMegabytes, double AllocatedBytesPerSecond, double ThreadPoolQueue,
    double ThreadPoolThreads, double Gen2PerSecond, double TimeInGcPercent, double WorkingSetMegabytes)
{
    /// <summary>Column heads matching <see cref="ToString"/>.</summary>
    public static string Header => string.Create(CultureInfo.InvariantCulture,
        $"{"time",8} {"heap MB",9} {"alloc MB/s",10} {"pool queue",10} {"pool threads",12} {"gen2/s",6} {"% in GC",7} {"working set MB",14}");

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Time:HH:mm:ss} {HeapMegabytes,9:N1} {AllocatedBytesPerSecond / 1024 / 1024,10:N1} {ThreadPoolQueue,10:N0} {ThreadPoolThreads,12:N0} {Gen2PerSecond,6:N0} {TimeInGcPercent,7:N0} {WorkingSetMegabytes,14:N1}");
}

/// <summary>
/// Streams a process's runtime counters a second at a time over EventPipe, as <c>dotnet-counters</c> does (the
/// runtime's <c>System.Runtime</c> event counters, read in this process through the diagnostics client), so the
/// numbers arrive live in a terminal, a pipe, a test or a notebook alike. <c>dotnet-counters monitor -p PID
/// --counters System.Runtime</c> shows the same process full-screen; <see cref="Parse"/> reads what its
/// <c>collect --format csv</c> writes.
/// </summary>
public static class RuntimeCounters
{
    /// <summary>The counters read, as <c>dotnet-counters --counters</c> takes them.</summary>
    public const string Selection =
        @"EventCounters\System.Runtime[gc-heap-size,alloc-rate,threadpool-queue-length,threadpool-thread-count,gen-2-gc-count,time-in-gc,working-set]";

    private static readonly string[] Names =
        ["gc-heap-size", "alloc-rate", "threadpool-queue-length", "threadpool-thread-count", "gen-2-gc-count", "time-in-gc", "working-set"];

    /// <summary>
    /// Reads the counters of <paramref name="processId"/> for <paramref name="duration"/>, calling
    /// <paramref name="onSample"/> as each second's counters arrive, and returns them all.
    /// </summary>
    /// <exception cref="InvalidOperationException">The process has no diagnostics port to connect to (gone, or another user's).</exception>
    public static async Task<IReadOnlyList<CounterSample>> StreamAsync(int processId, TimeSpan duration, Action<CounterSample>? onSample = null,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.FromSeconds(1));
        var samples = new List<CounterSample>();
        var client = new DiagnosticsClient(processId);
        var provider = new EventPipeProvider("System.Runtime", EventLevel.Informational, (long)EventKeywords.All,
            new Dictionary<string, string> { ["EventCounterIntervalSec"] = "1" });
        EventPipeSession session;
        try
        {
            session = await client.StartEventPipeSessionAsync([provider], requestRundown: false, circularBufferMB: 16, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ServerNotAvailableException or UnsupportedCommandException or TimeoutException)
        {
            throw new InvalidOperationException($"Process {processId} has no diagnostics port this user can open: {e.Message}", e);
        }

        using (session)
        {
            var current = new Dictionary<string, double>(StringComparer.Ordinal);
            var publishedAt = DateTime.Now;
            void Emit()
            {
                if (current.Count == 0) return;
                var sample = From(publishedAt, current);
                current.Clear();
                lock (samples) samples.Add(sample);
                onSample?.Invoke(sample);
            }

            using var source = new EventPipeEventSource(session.EventStream);
            source.Dynamic.All += e =>
            {
                if (e.EventName != "EventCounters" || e.PayloadValue(0) is not IDictionary<string, object> outer
                    || outer["Payload"] is not IDictionary<string, object> payload || payload["Name"] is not string name
                    || !Names.Contains(name)) return;
                var value = payload.TryGetValue("Mean", out var mean) ? mean : payload.TryGetValue("Increment", out var increment) ? increment : 0d;
                // Every counter reports once an interval; one seen twice means the next second has begun.
                if (current.ContainsKey(name)) Emit();
                if (current.Count == 0) publishedAt = e.TimeStamp; // the service's clock when it published them
                current[name] = Convert.ToDouble(value, CultureInfo.InvariantCulture);
            };
            // Its own thread, not the pool's: the process being watched may be this one, with a pool that is busy.
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            new Thread(() =>
            {
                try
                {
                    source.Process();
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }) { IsBackground = true, Name = "runtime counters" }.Start();
            var reading = done.Task;
            try
            {
                await Task.Delay(duration, ct).ConfigureAwait(false);
            }
            finally
            {
                try { await session.StopAsync(CancellationToken.None).ConfigureAwait(false); }
                catch (ServerNotAvailableException) { } // the process ended first
                catch (EndOfStreamException) { }
                await reading.ConfigureAwait(false);
            }
            Emit();
        }
        return samples;
    }

    private static CounterSample From(DateTime time, IReadOnlyDictionary<string, double> v) =>
        new(time.AddTicks(-(time.Ticks % TimeSpan.TicksPerSecond)), v.GetValueOrDefault("gc-heap-size"), v.GetValueOrDefault("alloc-rate"),
            v.GetValueOrDefault("threadpool-queue-length"), v.GetValueOrDefault("threadpool-thread-count"), v.GetValueOrDefault("gen-2-gc-count"),
            v.GetValueOrDefault("time-in-gc"), v.GetValueOrDefault("working-set"));

    /// <summary>Parses a whole <c>dotnet-counters collect --format csv</c> file of <see cref="Selection"/>.</summary>
    public static IReadOnlyList<CounterSample> Parse(string csvText)
    {
        ArgumentNullException.ThrowIfNull(csvText);
        var samples = new List<CounterSample>();
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        string? time = null;
        void Flush()
        {
            if (time is null || values.Count == 0) return;
            var at = DateTime.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : DateTime.MinValue;
            samples.Add(new CounterSample(at, Get("GC Heap Size"), Get("Allocation Rate"), Get("ThreadPool Queue Length"),
                Get("ThreadPool Thread Count"), Get("Gen 2 GC Count"), Get("% Time in GC"), Get("Working Set")));
            values.Clear();
        }

        // Counter names carry their unit after the name: "GC Heap Size (MB)", "Allocation Rate (B / 1 sec)".
        double Get(string name) => values.FirstOrDefault(v => v.Key.StartsWith(name, StringComparison.Ordinal)).Value;

        // Rows come grouped by timestamp, one counter a row.
        foreach (var line in csvText.Split('\n'))
        {
            var cells = line.TrimEnd('\r').Split(',');
            if (cells.Length < 5 || cells[0] == "Timestamp") continue;
            if (time is not null && cells[0] != time) Flush();
            time = cells[0];
            if (double.TryParse(cells[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) values[cells[2]] = value;
        }
        Flush();
        return samples;
    }
}
