using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using HdrHistogram;

namespace Workshop.Toolkit.Load;

/// <summary>
/// Puts HTTP load on a service and measures latency with HdrHistogram (microsecond resolution, three significant
/// digits). Two models:
/// <list type="bullet">
/// <item><b>Open loop</b> (<see cref="RunOpenLoopAsync"/>): requests arrive at a fixed rate whether or not earlier ones
/// finished, as users do. Latency runs from each request's intended send time, so a stalled service is charged for
/// the queue it builds (this corrects coordinated omission).</item>
/// <item><b>Closed loop</b> (<see cref="RunClosedLoopAsync"/>): N clients each send back-to-back; the service sets the
/// pace, which shows its capacity but hides queueing.</item>
/// </list>
/// Both stop by themselves at the duration; requests still in flight then get at most
/// <see cref="LoadSettings.RequestTimeout"/> more. Cancelling <c>ct</c> cancels everything in flight and throws
/// <see cref="OperationCanceledException"/>.
/// </summary>
public static class LoadDriver
{
    /// <summary>Connections per server of <see cref="CreateClient"/>: above the default in-flight cap.</summary>
    public const int DefaultMaxConnections = 1_024;

    /// <summary>How many requests a run keeps in <see cref="LoadResult.Samples"/> at most (a chart needs no more).</summary>
    public const int MaxSamples = 200_000;

    /// <summary>
    /// One client for a whole run, reused: a client per request exhausts sockets (lab 04). No proxy, as the
    /// targets are loopback; the client's own Timeout stays at its 100 s default, and the driver applies
    /// <see cref="LoadSettings.RequestTimeout"/> per request.
    /// </summary>
    public static HttpClient CreateClient(Uri baseAddress, int maxConnections = DefaultMaxConnections) =>
        new(new SocketsHttpHandler
        {
            // HTTP/1.1 runs one request per connection: fewer connections than requests in flight would queue
            // requests inside the client, and the driver would measure its own queue.
            MaxConnectionsPerServer = maxConnections,
            UseProxy = false,
            // No connect timeout of its own: waiting for a connection is part of a request, and the request's
            // timeout (LoadSettings.RequestTimeout) covers both, so a stalled accept loop counts as a timeout there.
        })
        {
            BaseAddress = baseAddress,
        };

    /// <summary>
    /// Sends request <c>i</c> at <c>start + i / ratePerSecond</c> for <paramref name="duration"/>, regardless of how
    /// earlier requests fare, and measures each from its intended send time.
    /// </summary>
    /// <param name="client">A client to reuse, e.g. from <see cref="CreateClient"/>.</param>
    /// <param name="request">Builds request number i (a fresh message each time: messages cannot be resent).</param>
    /// <param name="ratePerSecond">Arrival rate.</param>
    /// <param name="duration">How long requests keep arriving.</param>
    /// <param name="settings">Cap, timeout, progress interval; <see cref="LoadSettings.Default"/> if null.</param>
    /// <param name="progress">Receives a <see cref="LoadProgress"/> every progress interval.</param>
    /// <param name="ct">Stops the run early (throws).</param>
    public static async Task<LoadResult> RunOpenLoopAsync(
        HttpClient client,
        Func<long, HttpRequestMessage> request,
        double ratePerSecond,
        TimeSpan duration,
        LoadSettings? settings = null,
        IProgress<LoadProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        settings ??= LoadSettings.Default;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.MaxInFlight);

        // Declared before the run so that it outlives it: requests release their slot as they finish.
        using var slots = new SemaphoreSlim(settings.MaxInFlight, settings.MaxInFlight);
        await using var run = new LoadRun(client, settings, duration, progress, ct);
        var due = (long)Math.Ceiling(ratePerSecond * duration.TotalSeconds);
        var interval = Stopwatch.Frequency / ratePerSecond;
        var oneMillisecond = Stopwatch.Frequency / 1000;

        long sent = 0;
        try
        {
            for (; sent < due; sent++)
            {
                var intended = run.Start + (long)(sent * interval);
                var wait = intended - Stopwatch.GetTimestamp();
                // Timers tick in milliseconds: closer than that, send now. It is then measured from when it
                // actually went out, so sending a little early never flatters the numbers.
                if (wait > oneMillisecond) await Task.Delay(Ticks(wait), run.Token).ConfigureAwait(false);

                if (!slots.Wait(0))
                {
                    run.CountDelayed();
                    var untilEnd = Ticks(Math.Max(0, run.End - Stopwatch.GetTimestamp()));
                    if (!await slots.WaitAsync(untilEnd, run.Token).ConfigureAwait(false)) break;
                }

                var message = request(sent);
                var origin = Math.Min(intended, Stopwatch.GetTimestamp());
                run.Launch(message, origin, () => slots.Release());
            }
        }
        catch (OperationCanceledException) when (run.Token.IsCancellationRequested)
        {
            // Cancelled while waiting to send; what follows waits for the requests in flight, then throws.
        }

        run.Shed(due - sent);
        return await run.FinishAsync(requests: due).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="clients"/> concurrent clients, each sending its next request as soon as the previous
    /// one finishes, for <paramref name="duration"/>. Latency runs from each actual send.
    /// </summary>
    /// <param name="client">A client to reuse, with at least <paramref name="clients"/> connections per server.</param>
    /// <param name="request">Builds request number i (numbered across all clients).</param>
    /// <param name="clients">Concurrent clients.</param>
    /// <param name="duration">How long clients keep sending.</param>
    /// <param name="settings">Timeout, progress interval; <see cref="LoadSettings.Default"/> if null.</param>
    /// <param name="progress">Receives a <see cref="LoadProgress"/> every progress interval.</param>
    /// <param name="ct">Stops the run early (throws).</param>
    public static async Task<LoadResult> RunClosedLoopAsync(
        HttpClient client,
        Func<long, HttpRequestMessage> request,
        int clients,
        TimeSpan duration,
        LoadSettings? settings = null,
        IProgress<LoadProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clients);
        settings ??= LoadSettings.Default;

        await using var run = new LoadRun(client, settings, duration, progress, ct);
        var sent = await RunClientsAsync(run, request, clients, _ => Stopwatch.GetTimestamp() < run.End).ConfigureAwait(false);
        return await run.FinishAsync(requests: sent).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="clients"/> concurrent clients, each sending its next request as soon as the previous one
    /// finishes, until <paramref name="requests"/> have been sent and answered: a load defined by work, so what it
    /// leaves behind (cache entries, retained bytes, connections) does not depend on how fast the machine is.
    /// <see cref="LoadSettings.MaxDuration"/> is the backstop.
    /// </summary>
    /// <param name="client">A client to reuse, with at least <paramref name="clients"/> connections per server.</param>
    /// <param name="request">Builds request number i, 0 to <paramref name="requests"/> - 1.</param>
    /// <param name="clients">Concurrent clients.</param>
    /// <param name="requests">How many requests to send in all.</param>
    /// <param name="settings">Timeout, backstop, progress interval; <see cref="LoadSettings.Default"/> if null.</param>
    /// <param name="progress">Receives a <see cref="LoadProgress"/> every progress interval.</param>
    /// <param name="ct">Stops the run early (throws).</param>
    public static async Task<LoadResult> RunRequestsAsync(
        HttpClient client,
        Func<long, HttpRequestMessage> request,
        int clients,
        long requests,
        LoadSettings? settings = null,
        IProgress<LoadProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clients);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requests);
        settings ??= LoadSettings.Default;

        await using var run = new LoadRun(client, settings, settings.MaxDuration, progress, ct, backstop: settings.MaxDuration);
        var sent = await RunClientsAsync(run, request, (int)Math.Min(clients, requests), i => i < requests).ConfigureAwait(false);
        run.Shed(requests - sent);
        return await run.FinishAsync(requests).ConfigureAwait(false);
    }

    /// <summary>
    /// <paramref name="clients"/> clients that each send their next request as soon as the previous one is done, for as
    /// long as <paramref name="more"/> says request i is still due; returns how many were sent.
    /// </summary>
    private static async Task<long> RunClientsAsync(LoadRun run, Func<long, HttpRequestMessage> request, int clients, Func<long, bool> more)
    {
        long next = -1, sent = 0;
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (!run.Token.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (!more(i)) break;
                HttpRequestMessage message;
                try
                {
                    message = request(i);
                }
                catch
                {
                    run.Abort(); // A broken request factory ends the run for every client, not just this one.
                    throw;
                }

                Interlocked.Increment(ref sent);
                await run.ExecuteAsync(message, Stopwatch.GetTimestamp()).ConfigureAwait(false);
            }
        }));
        await Task.WhenAll(workers).ConfigureAwait(false);
        return Interlocked.Read(ref sent);
    }

    /// <summary>True for the outcomes a dashboard counts as errors: "timeout", "unfinished", "error" and 5xx codes.</summary>
    public static bool IsError(string status) => status is "timeout" or "unfinished" or "error" || status.StartsWith('5');

    internal static TimeSpan Ticks(long stopwatchTicks) => Stopwatch.GetElapsedTime(0, stopwatchTicks);

    /// <summary>The shared bookkeeping of one run: what was sent, what came back, when.</summary>
    private sealed class LoadRun : IAsyncDisposable
    {
        private const int Precision = 3;
        private const int TickPrecision = 2; // Per-second figures are for charts: two digits keep them small.

        private readonly HttpClient _client;
        private readonly LoadSettings _settings;
        private readonly IProgress<LoadProgress>? _progress;
        private readonly CancellationToken _userToken;
        private readonly CancellationTokenSource _stop;
        private readonly long _highestMicros;
        private readonly LongConcurrentHistogram _latency;
        private readonly Recorder _interval;
        private readonly ConcurrentDictionary<int, TickAccumulator> _ticks = new();
        private readonly ConcurrentDictionary<string, long> _byStatus = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<RequestSample> _samples = new();
        private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _reporter;
        private long _pending = 1; // The scheduler holds one until it has sent everything.
        private int _finishing;
        private readonly ConcurrentDictionary<long, long> _waiting = new(); // In flight: when each was due.
        private long _sent;
        private long _completed;
        private long _delayed;
        private int _inFlight;

        public LoadRun(HttpClient client, LoadSettings settings, TimeSpan duration, IProgress<LoadProgress>? progress, CancellationToken ct,
            TimeSpan? backstop = null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(duration.Ticks, nameof(duration));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.RequestTimeout.Ticks, nameof(settings.RequestTimeout));
            _client = client;
            _settings = settings;
            _progress = progress;
            _userToken = ct;
            // A backstop behind the per-request timeouts: at the latest, everything ends a little after
            // duration + timeout, even if a handler ignores cancellation for a while.
            _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _stop.CancelAfter(backstop ?? duration + settings.RequestTimeout + TimeSpan.FromSeconds(1));
            // Open-loop latency can grow to the whole run when the service stalls.
            _highestMicros = Math.Max(
                (long)TimeSpan.FromHours(1).TotalMicroseconds, 2 * (long)(duration + settings.RequestTimeout).TotalMicroseconds);
            _latency = new LongConcurrentHistogram(1, _highestMicros, Precision);
            _interval = HistogramFactory.With64BitBucketSize().WithValuesFrom(1).WithValuesUpTo(_highestMicros)
                .WithPrecisionOf(TickPrecision).WithThreadSafeWrites().WithThreadSafeReads().Create();
            Start = Stopwatch.GetTimestamp();
            End = Start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            _reporter = progress is null ? Task.CompletedTask : ReportAsync();
        }

        public long Start { get; }
        public long End { get; }
        public CancellationToken Token => _stop.Token;

        public void CountDelayed() => Interlocked.Increment(ref _delayed);

        public void Shed(long count)
        {
            if (count > 0) _byStatus.AddOrUpdate("shed", count, (_, n) => n + count);
        }

        /// <summary>Starts a request without waiting for it; <see cref="FinishAsync"/> waits for all of them.</summary>
        public void Launch(HttpRequestMessage message, long origin, Action done)
        {
            Interlocked.Increment(ref _pending);
            _ = RunAsync();

            async Task RunAsync()
            {
                try
                {
                    await ExecuteAsync(message, origin).ConfigureAwait(false);
                }
                finally
                {
                    done();
                    if (Interlocked.Decrement(ref _pending) == 0) _allDone.TrySetResult();
                }
            }
        }

        /// <summary>Sends one request and records its outcome; never throws for the request's own failures.</summary>
        public async Task ExecuteAsync(HttpRequestMessage message, long origin)
        {
            string status;
            var measured = true;
            Interlocked.Increment(ref _inFlight);
            var id = Interlocked.Increment(ref _sent);
            _waiting[id] = origin;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(_settings.RequestTimeout);
            try
            {
                using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token)
                    .ConfigureAwait(false);
                status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                Interlocked.Increment(ref _completed);
            }
            catch (OperationCanceledException) when (!_userToken.IsCancellationRequested)
            {
                // The request's own timeout (or the client's) means "took too long"; the run's backstop means it was
                // still waiting when the run had to end.
                status = _stop.IsCancellationRequested ? "unfinished" : "timeout";
            }
            catch (OperationCanceledException)
            {
                status = "cancelled";
                measured = false;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or SocketException)
            {
                status = "error";
                measured = false;
            }
            finally
            {
                message.Dispose();
                _waiting.TryRemove(id, out _);
                Interlocked.Decrement(ref _inFlight);
            }

            Record(status, origin, Stopwatch.GetTimestamp(), measured);
        }

        private void Record(string status, long origin, long end, bool measured)
        {
            _byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status != "cancelled" && _samples.Count < MaxSamples)
                _samples.Enqueue(new RequestSample(Ticks(origin - Start).TotalSeconds, Ticks(end - origin).TotalMilliseconds, status));
            var tick = _ticks.GetOrAdd((int)((end - Start) / Stopwatch.Frequency), _ => new TickAccumulator(_highestMicros));
            if (status[0] is >= '0' and <= '9') Interlocked.Increment(ref tick.Completed);
            if (IsError(status)) Interlocked.Increment(ref tick.Errors);
            if (!measured) return;

            var micros = Math.Clamp((long)Ticks(end - origin).TotalMicroseconds, 1, _highestMicros);
            _latency.RecordValue(micros);
            _interval.RecordValue(micros);
            tick.Latency.RecordValue(micros);
        }

        public void Abort() => _stop.Cancel();

        public async Task<LoadResult> FinishAsync(long requests)
        {
            await AllDoneAsync().ConfigureAwait(false);
            var elapsed = Ticks(Stopwatch.GetTimestamp() - Start);
            await _stop.CancelAsync().ConfigureAwait(false);
            await _reporter.ConfigureAwait(false);
            Report();
            _userToken.ThrowIfCancellationRequested();

            var seconds = _ticks.IsEmpty ? 0 : _ticks.Keys.Max() + 1;
            var timeline = Enumerable.Range(0, seconds)
                .Select(s => _ticks.TryGetValue(s, out var t)
                    ? new LoadTick(s, t.Completed, t.Errors, Millis(t.Latency, 50), Millis(t.Latency, 99))
                    : new LoadTick(s, 0, 0, double.NaN, double.NaN))
                .ToList();
            var count = _latency.TotalCount;
            return new LoadResult(
                Requests: requests,
                Completed: _completed,
                Delayed: _delayed,
                Throughput: _completed / Math.Max(elapsed.TotalSeconds, 1e-9),
                P50: Millis(_latency, 50),
                P90: Millis(_latency, 90),
                P95: Millis(_latency, 95),
                P99: Millis(_latency, 99),
                P999: Millis(_latency, 99.9),
                Max: count == 0 ? double.NaN : _latency.GetMaxValue() / 1000.0,
                Mean: count == 0 ? double.NaN : _latency.GetMean() / 1000.0,
                ByStatus: new Dictionary<string, long>(_byStatus, StringComparer.Ordinal),
                Elapsed: elapsed,
                Timeline: timeline)
            {
                Samples = [.. _samples.OrderBy(r => r.SentSeconds)],
            };
        }

        public async ValueTask DisposeAsync()
        {
            // Without FinishAsync first only when the request factory threw: cancel what is in flight and wait
            // for it, so no request outlives the run.
            await _stop.CancelAsync().ConfigureAwait(false);
            await AllDoneAsync().ConfigureAwait(false);
            await _reporter.ConfigureAwait(false);
            _stop.Dispose();
        }

        private Task AllDoneAsync()
        {
            // Releases the scheduler's hold once, whichever of FinishAsync and DisposeAsync comes first.
            if (Interlocked.Exchange(ref _finishing, 1) == 0 && Interlocked.Decrement(ref _pending) == 0) _allDone.TrySetResult();
            return _allDone.Task;
        }

        private async Task ReportAsync()
        {
            using var timer = new PeriodicTimer(_settings.ProgressInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false)) Report();
            }
            catch (OperationCanceledException)
            {
                // The run is over.
            }
        }

        private void Report()
        {
            if (_progress is null) return;
            var recent = _interval.GetIntervalHistogram();
            _progress.Report(new LoadProgress(
                Ticks(Stopwatch.GetTimestamp() - Start), Interlocked.Read(ref _completed), Volatile.Read(ref _inFlight), Millis(recent, 99))
            {
                P50Ms = Millis(recent, 50),
                OldestWaitingMs = OldestWaiting(),
                Errors = _byStatus.Where(s => IsError(s.Key)).Sum(s => s.Value),
                Timeouts = _byStatus.GetValueOrDefault("timeout"),
            });
        }

        // How long the oldest request still in flight has waited: what a stalled service's latency is while nothing finishes.
        private double OldestWaiting()
        {
            var oldest = long.MaxValue;
            foreach (var (_, origin) in _waiting) oldest = Math.Min(oldest, origin);
            return oldest == long.MaxValue ? double.NaN : Ticks(Stopwatch.GetTimestamp() - oldest).TotalMilliseconds;
        }

        private static double Millis(HistogramBase histogram, double percentile) =>
            histogram.TotalCount == 0 ? double.NaN : histogram.GetValueAtPercentile(percentile) / 1000.0;
    }

    private sealed class TickAccumulator(long highestMicros)
    {
        public long Completed;
        public long Errors;
        public readonly LongConcurrentHistogram Latency = new(1, highestMicros, 2);
    }
}
