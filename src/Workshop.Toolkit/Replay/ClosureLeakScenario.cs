using System.Globalization;

namespace Workshop.Toolkit.Replay;

/// <summary>
/// Lab 02: report requests arrive at a steady 200 a second, each rendering a 128 KB report. Broken leaves two
/// callbacks per request on the application-stopping token, and the closure of one of them holds the report: its heap
/// grows by the size of every report served. Fixed removes its callbacks when the request ends and its heap stays
/// where it started. After the load, the replay forces a full collection in the service, so the last heap figure is
/// what survives, not what a collection had yet to free.
/// </summary>
public sealed class ClosureLeakScenario : LabScenario
{
    /// <summary>Report requests a second.</summary>
    public const double RatePerSecond = 200;

    /// <summary>Requests in flight at most (a slowed-down service gets no more connections than this).</summary>
    public const int MaxInFlight = 64;

    /// <summary>The figure on /metrics that counts the callbacks on the application-stopping token.</summary>
    public const string StoppingCallbacksMetric = "app_stopping_callbacks";

    private const double Megabyte = 1024 * 1024;

    /// <inheritdoc />
    public override string Lab => "02-closure-leak";

    /// <inheritdoc />
    public override string Title => "Callbacks that keep every request alive";

    /// <inheritdoc />
    public override string Symptom =>
        "Every report request leaves callbacks on the application-stopping token; one closure holds the 128 KB report, so the heap grows with traffic.";

    /// <inheritdoc />
    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(8);

    /// <inheritdoc />
    public override IReadOnlyList<string> LabMetrics => [StoppingCallbacksMetric, "reports_rendered_total"];

    /// <inheritdoc />
    public override HeadlineSpec Headline { get; } = new("heap_growth_bytes", Better.Lower, Floor: 16 * Megabyte, h => string.Create(CultureInfo.InvariantCulture,
        $"At {RatePerSecond:N0} report requests a second, Broken's heap kept {h.Broken / Megabyte:N0} MB more than it started with, after a full collection, " +
        $"and Fixed's {h.Fixed / Megabyte:N1} MB: {h.Ratio:N0}x less, because no callback outlives its request any more."));

    /// <inheritdoc />
    public override async Task<LoadResult> DriveAsync(LabService service, TimeSpan duration, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        using var client = service.CreateClient(MaxInFlight);
        var load = await LoadDriver.RunOpenLoopAsync(client, i => new HttpRequestMessage(HttpMethod.Get, $"/api/reports/{1 + i % 500}"),
            RatePerSecond, duration, new LoadSettings { MaxInFlight = MaxInFlight, RequestTimeout = TimeSpan.FromSeconds(10) }, progress, ct).ConfigureAwait(false);
        await CollectGarbageAsync(service, ct).ConfigureAwait(false);
        return load;
    }

    /// <summary>
    /// Forces a full collection in the service (see <see cref="HeapSnapshot.CollectGarbageAsync"/>), so that
    /// <c>dotnet_gc_heap_size_bytes</c> then shows the heap that survives. A service whose diagnostic port is off
    /// keeps its last figure.
    /// </summary>
    public static async Task CollectGarbageAsync(LabService service, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.HasExited) return;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(15));
            await HeapSnapshot.CollectGarbageAsync(service.ProcessId, limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // No diagnostic port (DOTNET_EnableDiagnostics=0) or a process on its way out: the figure stays as it was.
        }
    }
}
