using System.Globalization;
using System.Text;

namespace Workshop.Toolkit.Load;

/// <summary>Knobs of a load run.</summary>
public sealed record LoadSettings
{
    /// <summary>The defaults: 1,000 in flight, 10 s per request, progress every second.</summary>
    public static LoadSettings Default { get; } = new();

    /// <summary>
    /// Open loop only: at most this many requests in flight. When the cap is reached the next request waits for a
    /// slot; it is counted in <see cref="LoadResult.Delayed"/> and its latency still runs from its intended send
    /// time, so the cap bounds sockets and memory without hiding queueing. Requests still waiting when the run
    /// ends are never sent and are counted under the status "shed".
    /// </summary>
    public int MaxInFlight { get; init; } = 1_000;

    /// <summary>A request that has no complete response after this long is cancelled and counted as "timeout".</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often progress is reported.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Work-defined runs only: the longest the whole run may take. Requests still in flight then are cancelled and
    /// counted as "unfinished"; those not yet sent are "shed". A backstop, far above any healthy run.
    /// </summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(3);
}

/// <summary>One request of a run, for charts that show latency by the time each request was sent.</summary>
/// <param name="SentSeconds">When it was due (open loop) or sent (closed loop), in seconds since the run started.</param>
/// <param name="LatencyMs">From then until it was answered or given up, in ms.</param>
/// <param name="Status">Its outcome: the HTTP status code, "timeout", "unfinished" (cut off at the end of the run) or "error".</param>
public readonly record struct RequestSample(double SentSeconds, double LatencyMs, string Status)
{
    /// <summary>True when the service answered with an HTTP status.</summary>
    public bool Answered => Status.Length > 0 && Status[0] is >= '0' and <= '9';
}

/// <summary>Where a run is: for a live display.</summary>
/// <param name="Elapsed">Since the run started.</param>
/// <param name="Completed">Requests answered with any HTTP status so far.</param>
/// <param name="InFlight">Requests sent and not yet finished.</param>
/// <param name="P99Ms">99th percentile of the requests finished since the previous report, in ms (NaN if none).</param>
public sealed record LoadProgress(TimeSpan Elapsed, long Completed, int InFlight, double P99Ms)
{
    /// <summary>Median of the requests finished since the previous report, in ms (NaN if none).</summary>
    public double P50Ms { get; init; } = double.NaN;

    /// <summary>How long the oldest request still in flight has been waiting since it was due, in ms (NaN if none is).</summary>
    public double OldestWaitingMs { get; init; } = double.NaN;

    /// <summary>Timeouts, transport errors and 5xx answers so far.</summary>
    public long Errors { get; init; }

    /// <summary>Requests the client gave up waiting for so far (part of <see cref="Errors"/>).</summary>
    public long Timeouts { get; init; }
}

/// <summary>One second of a run, by the time requests finished.</summary>
/// <param name="Second">Seconds since the run started (0 is the first second).</param>
/// <param name="Completed">Requests answered with any HTTP status in that second.</param>
/// <param name="Errors">Timeouts, transport errors and 5xx answers in that second.</param>
/// <param name="P50Ms">Median latency of the requests finished in that second, in ms (NaN if none).</param>
/// <param name="P99Ms">99th percentile of the same, in ms (NaN if none).</param>
public sealed record LoadTick(int Second, long Completed, long Errors, double P50Ms, double P99Ms);

/// <summary>
/// What a run measured. Latencies are in milliseconds and cover answered and timed-out requests (a timeout is
/// recorded at the time it was given up); transport errors are left out, as a refused connection fails fast and
/// would make a dead service look quick. Percentiles are NaN when nothing was recorded.
/// </summary>
/// <param name="Requests">Requests that were due: sent, or shed by the in-flight cap.</param>
/// <param name="Completed">Requests answered with any HTTP status.</param>
/// <param name="Delayed">Open loop: requests that had to wait for an in-flight slot (their wait is in their latency).</param>
/// <param name="Throughput">Completed per second of <paramref name="Elapsed"/>.</param>
/// <param name="P50">Median latency, ms.</param>
/// <param name="P90">90th percentile, ms.</param>
/// <param name="P95">95th percentile, ms.</param>
/// <param name="P99">99th percentile, ms.</param>
/// <param name="P999">99.9th percentile, ms.</param>
/// <param name="Max">Slowest, ms.</param>
/// <param name="Mean">Mean, ms.</param>
/// <param name="ByStatus">Count per outcome: the HTTP status code ("200", "503"), "timeout", "unfinished", "error" or "shed".</param>
/// <param name="Elapsed">From the first scheduled request until the last one finished.</param>
/// <param name="Timeline">One entry per second, empty seconds included, so a stall shows as a gap.</param>
public sealed record LoadResult(
    long Requests,
    long Completed,
    long Delayed,
    double Throughput,
    double P50,
    double P90,
    double P95,
    double P99,
    double P999,
    double Max,
    double Mean,
    IReadOnlyDictionary<string, long> ByStatus,
    TimeSpan Elapsed,
    IReadOnlyList<LoadTick> Timeline)
{
    /// <summary>Every request that was sent, by its send time, up to <see cref="LoadDriver.MaxSamples"/> (the rest are left out).</summary>
    public IReadOnlyList<RequestSample> Samples { get; init; } = [];

    /// <summary>Timeouts, transport errors and 5xx answers.</summary>
    public long Errors => ByStatus.Where(s => LoadDriver.IsError(s.Key)).Sum(s => s.Value);

    /// <summary>The count for one status ("200", "timeout", ...), 0 if none.</summary>
    public long Count(string status) => ByStatus.GetValueOrDefault(status);

    /// <summary>One line, for notebooks and logs.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{Requests:N0} requests, {Completed:N0} completed in {Elapsed.TotalSeconds:0.0} s ({Throughput:N1}/s); ");
        text.Append(CultureInfo.InvariantCulture,
            $"p50 {P50:0.##} ms, p90 {P90:0.##} ms, p99 {P99:0.##} ms, max {Max:0.##} ms; ");
        text.AppendJoin(", ", ByStatus.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}: {s.Value:N0}"));
        return text.ToString();
    }
}
