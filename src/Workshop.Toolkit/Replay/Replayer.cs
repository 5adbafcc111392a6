namespace Workshop.Toolkit.Replay;

/// <summary>Where a replay is, for a live display.</summary>
/// <param name="Variant">The variant being replayed.</param>
/// <param name="Phase">starting, load, stopping or done.</param>
/// <param name="Load">The load's progress during the load phase.</param>
/// <param name="HeapBytes">The service's GC heap at the last scrape.</param>
/// <param name="ThreadPoolQueue">Its thread pool queue length at the last scrape.</param>
public sealed record ReplayProgress(string Variant, string Phase, LoadProgress? Load, double? HeapBytes, double? ThreadPoolQueue);

/// <summary>Replays a lab: each variant as a real process, the scenario's load on it, its /metrics sampled throughout.</summary>
public static class Replayer
{
    /// <summary>The GC heap gauge every service exposes.</summary>
    public const string HeapMetric = "dotnet_gc_heap_size_bytes";

    /// <summary>The thread pool queue gauge every service exposes.</summary>
    public const string QueueMetric = "workshop_thread_pool_queue_length";

    /// <summary>The longest thread pool queue since the previous scrape, watched by the service every 50 ms.</summary>
    public const string QueuePeakMetric = "workshop_thread_pool_queue_peak";

    /// <summary>Thread pool threads: the pool adds threads when the ones it has are blocked.</summary>
    public const string ThreadsMetric = "workshop_thread_pool_threads";

    /// <summary>The thread pool queue's moving average over about a second: high and flat when the pool starves.</summary>
    public const string QueueAverageMetric = "workshop_thread_pool_queue_average";

    /// <summary>Replays Broken, then Fixed, and compares them on the scenario's headline.</summary>
    public static async Task<ReplayResult> RunAsync(LabScenario scenario, TimeSpan? duration = null, IProgress<ReplayProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var broken = await RunVariantAsync(scenario, "Broken", duration, progress, ct).ConfigureAwait(false);
        var @fixed = await RunVariantAsync(scenario, "Fixed", duration, progress, ct).ConfigureAwait(false);
        return Compare(scenario, broken, @fixed);
    }

    /// <summary>Compares two runs on the scenario's headline (a notebook replays the variants one at a time).</summary>
    public static ReplayResult Compare(LabScenario scenario, VariantRun broken, VariantRun @fixed)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var headline = Headline.Of(scenario.Headline, broken.Figure(scenario.Headline.Metric), @fixed.Figure(scenario.Headline.Metric));
        return new ReplayResult(scenario.Lab, scenario.Title, headline, scenario.Headline.Sentence(headline), broken, @fixed);
    }

    /// <summary>Replays one variant: starts it with the scenario's settings, loads it, samples it, stops it.</summary>
    public static async Task<VariantRun> RunVariantAsync(LabScenario scenario, string variant, TimeSpan? duration = null,
        IProgress<ReplayProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var length = duration ?? scenario.DefaultDuration;
        if (length <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), length, "A replay needs a positive duration.");

        progress?.Report(new ReplayProgress(variant, "starting", null, null, null));
        await using var context = await scenario.PrepareAsync(variant, ct).ConfigureAwait(false);
        await using var service = await LabService.StartAsync(scenario.Id, variant, context.Settings, ct).ConfigureAwait(false);
        string[] names = [HeapMetric, QueueMetric, QueuePeakMetric, QueueAverageMetric, ThreadsMetric, .. scenario.LabMetrics];

        // A broken service may take seconds to answer /metrics (it queues like every other request): wait for it,
        // and read it once before and once after the load as well, so start and end figures always exist.
        using var reader = new MetricsReader(service.BaseAddress) { Timeout = TimeSpan.FromSeconds(15) };
        var before = await TryScrapeAsync(reader, ct).ConfigureAwait(false);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var sampler = MetricsSampler.Start(reader, TimeSpan.FromMilliseconds(500), names);

        var loadProgress = progress is null ? null : new Relay(l => progress.Report(
            new ReplayProgress(variant, "load", l, sampler.Last(HeapMetric), sampler.Last(QueueMetric))));
        var load = await scenario.DriveAsync(service, length, loadProgress, ct).ConfigureAwait(false);
        await sampler.StopAsync().ConfigureAwait(false);
        var after = await TryScrapeAsync(reader, ct).ConfigureAwait(false);
        var end = clock.Elapsed.TotalSeconds;

        progress?.Report(new ReplayProgress(variant, "stopping", null, after?.Sum(HeapMetric), after?.Sum(QueueMetric)));
        var stop = await service.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var series = names.ToDictionary(n => n, n => (IReadOnlyList<(double, double)>)
        [
            .. before is not null && before.Contains(n) ? [(0.0, before.Sum(n))] : Array.Empty<(double, double)>(),
            .. sampler.Series(n),
            .. after is not null && after.Contains(n) ? [(end, after.Sum(n))] : Array.Empty<(double, double)>(),
        ], StringComparer.Ordinal);
        var run = VariantRun.From(variant, load, series, scenario.LabMetrics, stop, sampler.ScrapeFailures);
        progress?.Report(new ReplayProgress(variant, "done", null, run.Figure("heap_end_bytes"), null));
        return run;
    }

    /// <summary>
    /// Starts a variant, puts the scenario's load on it and, <paramref name="after"/> into the load, takes every
    /// thread's stack with dotnet-stack; returns the threads that pass through the lab's code, grouped by where
    /// they are. It answers "what are the threads doing?" when a service stalls.
    /// </summary>
    public static async Task<IReadOnlyList<ThreadGroup>> ThreadsUnderLoadAsync(LabScenario scenario, string variant, TimeSpan? after = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var wait = after ?? TimeSpan.FromSeconds(2);
        await using var context = await scenario.PrepareAsync(variant, ct).ConfigureAwait(false);
        await using var service = await LabService.StartAsync(scenario.Id, variant, context.Settings, ct).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var load = scenario.DriveAsync(service, wait + TimeSpan.FromSeconds(5), null, stop.Token);
        try
        {
            await Task.Delay(wait, ct).ConfigureAwait(false);
            var report = await DotnetDiagnostics.StackReportAsync(service.ProcessId, ct).ConfigureAwait(false);
            return DotnetDiagnostics.GroupThreads(report, $"Lab{scenario.Id}.");
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try { await load.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
    }

    private static async Task<MetricsSnapshot?> TryScrapeAsync(MetricsReader reader, CancellationToken ct)
    {
        try { return await reader.ScrapeAsync(ct).ConfigureAwait(false); }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or TaskCanceledException && !ct.IsCancellationRequested) { return null; }
    }

    // Progress<T> posts to the thread pool; a live display wants the report now, on the reporting thread.
    private sealed class Relay(Action<LoadProgress> report) : IProgress<LoadProgress>
    {
        public void Report(LoadProgress value) => report(value);
    }
}
