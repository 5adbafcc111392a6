namespace Workshop.Toolkit.Replay;

/// <summary>Where a replay is, for a live display.</summary>
/// <param name="Variant">The variant being replayed.</param>
/// <param name="Phase">starting, load, stopping or done.</param>
/// <param name="Load">The load's progress during the load phase.</param>
/// <param name="HeapBytes">The service's GC heap at the last scrape.</param>
/// <param name="ThreadPoolQueue">Its thread pool queue length at the last scrape.</param>
public sealed record ReplayProgress(string Variant, string Phase, LoadProgress? Load, double? HeapBytes, double? ThreadPoolQueue)
{
    /// <summary>During the load: the lab's own metrics at the last scrape, by metric name (absent before the first scrape).</summary>
    public IReadOnlyDictionary<string, double> LabMetrics { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// During the load: seconds since the last /metrics scrape that answered (null before the first). A stalled service
    /// answers /metrics late or not at all, and then the heap, queue and lab figures here are that old.
    /// </summary>
    public double? MetricsAgeSeconds { get; init; }

    /// <summary>When the phase is done: the variant's whole run, figures and all.</summary>
    public VariantRun? Run { get; init; }
}

/// <summary>
/// Told what a replay is doing to each service, and awaited before it goes on: a Prometheus server that must scrape a
/// service before its load starts and after it ends (so its answers and the replay's figures cover the same requests),
/// a dashboard that adds a target. Every method may do nothing.
/// </summary>
public interface IReplayObserver
{
    /// <summary>The variant's service is up and answers /metrics; no load yet.</summary>
    Task ServiceStartedAsync(string variant, LabService service, CancellationToken ct);

    /// <summary>Warmed up; the measured load starts as soon as this returns.</summary>
    Task LoadStartingAsync(string variant, LabService service, CancellationToken ct);

    /// <summary>The measured load is over (every request answered or given up on); the service still runs.</summary>
    Task LoadEndedAsync(string variant, LabService service, CancellationToken ct);
}

/// <summary>Several observers told in turn, for a replay that is scraped by Prometheus and drawn live at once.</summary>
public sealed class ReplayObservers(params IReplayObserver?[] observers) : IReplayObserver
{
    private readonly IReplayObserver[] _observers = [.. observers.OfType<IReplayObserver>()];

    /// <summary>The observers given, or null when none is.</summary>
    public static IReplayObserver? Of(params IReplayObserver?[] observers) =>
        observers.Count(o => o is not null) switch { 0 => null, 1 => observers.First(o => o is not null), _ => new ReplayObservers(observers) };

    /// <inheritdoc />
    public async Task ServiceStartedAsync(string variant, LabService service, CancellationToken ct)
    {
        foreach (var o in _observers) await o.ServiceStartedAsync(variant, service, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task LoadStartingAsync(string variant, LabService service, CancellationToken ct)
    {
        foreach (var o in _observers) await o.LoadStartingAsync(variant, service, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task LoadEndedAsync(string variant, LabService service, CancellationToken ct)
    {
        foreach (var o in _observers) await o.LoadEndedAsync(variant, service, ct).ConfigureAwait(false);
    }
}

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
    /// <param name="scenario">The lab's scenario.</param>
    /// <param name="scale">Multiplies the scenario's load (1: as designed; 0.5: a quicker look, with a smaller ratio).</param>
    /// <param name="progress">Receives where the replay is, for a live display.</param>
    /// <param name="ct">Cancels the replay; its services are stopped.</param>
    /// <param name="observer">Told when each service starts and its load starts and ends, and awaited.</param>
    public static async Task<ReplayResult> RunAsync(LabScenario scenario, double scale = 1, IProgress<ReplayProgress>? progress = null,
        CancellationToken ct = default, IReplayObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var broken = await RunVariantAsync(scenario, "Broken", scale, progress, ct, observer).ConfigureAwait(false);
        var @fixed = await RunVariantAsync(scenario, "Fixed", scale, progress, ct, observer).ConfigureAwait(false);
        return Compare(scenario, broken, @fixed, scale);
    }

    /// <summary>Compares two runs on the scenario's headline (a notebook replays the variants one at a time).</summary>
    public static ReplayResult Compare(LabScenario scenario, VariantRun broken, VariantRun @fixed, double scale = 1)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(broken);
        ArgumentNullException.ThrowIfNull(@fixed);
        var spec = scenario.Headline;
        var headline = Headline.Of(spec, broken.Figure(spec.Figure), @fixed.Figure(spec.Figure));
        var lead = scenario.KeyRows.Where(r => r.Key != spec.Figure).ToList();
        var labRows = scenario.LabMetrics.Select(m => new FigureRow(m.Key, m.Label));
        var rows = lead
            .Concat(labRows.Where(r => lead.All(l => l.Key != r.Key)))
            .Concat(VariantRun.CommonFigures.Where(c => c.Key != spec.Figure && lead.All(l => l.Key != c.Key)))
            .Where(r => broken.Figures.ContainsKey(r.Key) || @fixed.Figures.ContainsKey(r.Key))
            .ToList();
        return new ReplayResult(scenario.Lab, scenario.Title, scenario.Conditions(scale), headline, spec.Sentence(headline, broken, @fixed), broken, @fixed, rows);
    }

    /// <summary>Replays one variant: starts it with the scenario's settings, loads it, samples it, stops it.</summary>
    /// <exception cref="InvalidOperationException">The service does not export a metric the scenario reads, or failed to start.</exception>
    public static async Task<VariantRun> RunVariantAsync(LabScenario scenario, string variant, double scale = 1,
        IProgress<ReplayProgress>? progress = null, CancellationToken ct = default, IReplayObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (!(scale > 0) || !double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "A replay needs a positive scale.");

        progress?.Report(new ReplayProgress(variant, "starting", null, null, null));
        await using var context = await scenario.PrepareAsync(variant, scale, ct).ConfigureAwait(false);
        await using var service = await LabService.StartAsync(scenario.Folder, variant, context.Settings, ct).ConfigureAwait(false);
        var labMetrics = scenario.LabMetrics.Where(m => m.AppliesTo(service.Variant)).ToList();
        string[] names = [HeapMetric, QueueMetric, QueuePeakMetric, QueueAverageMetric, ThreadsMetric, .. labMetrics.Select(m => m.Name)];

        // A broken service may take seconds to answer /metrics (it queues like every other request): wait for it,
        // and read it once before and once after the load as well, so start and end figures always exist.
        using var reader = new MetricsReader(service.BaseAddress) { Timeout = TimeSpan.FromSeconds(15) };
        if (observer is not null) await observer.ServiceStartedAsync(variant, service, ct).ConfigureAwait(false);
        await scenario.WarmUpAsync(service, context, ct).ConfigureAwait(false);
        var retainedBefore = scenario.MeasuresRetainedHeap ? await HeapAfterFullCollectionAsync(service, reader, ct).ConfigureAwait(false) : null;
        if (observer is not null) await observer.LoadStartingAsync(variant, service, ct).ConfigureAwait(false);
        var before = await TryScrapeAsync(reader, ct).ConfigureAwait(false);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var sampler = MetricsSampler.Start(reader, TimeSpan.FromMilliseconds(500), names);
        LoadResult load;
        MetricsSnapshot? after;
        double? retainedAfter;
        await using (sampler.ConfigureAwait(false))
        {
            var loadProgress = progress is null ? null : new Relay(l => progress.Report(
                new ReplayProgress(variant, "load", l, sampler.Last(HeapMetric), sampler.Last(QueueMetric))
                {
                    LabMetrics = labMetrics.Select(m => (m.Name, Value: sampler.Last(m.Name)))
                        .Where(f => f.Value is not null).ToDictionary(f => f.Name, f => f.Value!.Value, StringComparer.Ordinal),
                    MetricsAgeSeconds = sampler.Series(HeapMetric) is { Count: > 0 } heap ? Math.Max(0, clock.Elapsed.TotalSeconds - heap[^1].SecondsSinceStart) : null,
                }));
            load = await scenario.DriveAsync(service, context, loadProgress, ct).ConfigureAwait(false);
            await sampler.StopAsync().ConfigureAwait(false);
            retainedAfter = scenario.MeasuresRetainedHeap ? await HeapAfterFullCollectionAsync(service, reader, ct).ConfigureAwait(false) : null;
            after = await TryScrapeAsync(reader, ct).ConfigureAwait(false);
        }
        var end = clock.Elapsed.TotalSeconds;
        if (observer is not null) await observer.LoadEndedAsync(variant, service, ct).ConfigureAwait(false);

        progress?.Report(new ReplayProgress(variant, "stopping", null, after?.Sum(HeapMetric), after?.Sum(QueueMetric)));
        var stop = await service.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var series = names.ToDictionary(n => n, n => (IReadOnlyList<(double, double)>)
        [
            .. before is not null && before.Contains(n) ? [(0.0, before.Sum(n))] : Array.Empty<(double, double)>(),
            .. sampler.Series(n),
            .. after is not null && after.Contains(n) ? [(end, after.Sum(n))] : Array.Empty<(double, double)>(),
        ], StringComparer.Ordinal);

        var missing = labMetrics.Where(m => series[m.Name].Count == 0).Select(m => m.Name).ToList();
        if (missing.Count > 0 && (before is not null || after is not null))
        {
            throw new InvalidOperationException(
                $"{scenario.Lab} {service.Variant} exports no {string.Join(", ", missing)} on /metrics, which its replay scenario " +
                $"(labs/{scenario.Lab}/Replay/) reads; rename the metric in the scenario or in the service, or limit it to the variants that have it.");
        }

        var measured = new Dictionary<string, double>(context.Figures, StringComparer.Ordinal);
        if (retainedBefore is { } b && retainedAfter is { } a) measured["heap_retained_bytes"] = a - b;
        var run = VariantRun.From(variant, load, series, labMetrics, stop, sampler.ScrapeFailures, measured,
            figures => scenario.Derive(service.Variant, load, figures));
        progress?.Report(new ReplayProgress(variant, "done", null, run.Figure("heap_end_bytes"), null) { Run = run });
        return run;
    }

    /// <summary>
    /// Forces a full, compacting collection in the service through its diagnostic port, then reads its GC heap: what
    /// the service keeps, without the garbage of the last seconds. Null when the port is off or the service is gone.
    /// </summary>
    private static async Task<double?> HeapAfterFullCollectionAsync(LabService service, MetricsReader reader, CancellationToken ct)
    {
        if (service.HasExited) return null;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(15));
            await HeapSnapshot.CollectGarbageAsync(service.ProcessId, limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return null; // No diagnostic port (DOTNET_EnableDiagnostics=0) or a process on its way out.
        }
        return (await TryScrapeAsync(reader, ct).ConfigureAwait(false))?.Sum(HeapMetric);
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
        await using var context = await scenario.PrepareAsync(variant, 1, ct).ConfigureAwait(false);
        await using var service = await LabService.StartAsync(scenario.Folder, variant, context.Settings, ct).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var load = scenario.DriveAsync(service, context, null, stop.Token);
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
