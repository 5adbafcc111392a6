using System.Globalization;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;

namespace Lab02.Replay;

/// <summary>
/// Lab 02: a thousand report requests, each rendering a 128 KB report. Broken leaves callbacks on the
/// application-stopping token whose closure holds the report, so every request it serves stays on its heap; Fixed
/// removes them when the request ends. The heap is measured after a full collection before and after the load, so
/// the figure is what the load left behind, per request: a property of the leak, whatever the machine's speed.
/// </summary>
public sealed class ClosureLeakScenario : LabScenario
{
    /// <summary>Report requests at scale 1.</summary>
    public const int Requests = 1_000;

    /// <summary>Requests before the measured ones: pools, JIT and caches settle.</summary>
    public const int WarmUpRequests = 100;

    /// <summary>Concurrent clients.</summary>
    public const int Clients = 16;

    /// <summary>The figure on /metrics that counts the callbacks on the application-stopping token.</summary>
    public const string StoppingCallbacksMetric = "app_stopping_callbacks";

    /// <summary>The headline's figure: KB the heap kept per request served.</summary>
    public const string RetainedPerRequest = "retained_kb_per_request";

    /// <summary>The size of one report at the default knobs.</summary>
    public const int ReportKilobytes = 128;

    /// <inheritdoc />
    public override string Lab => "02-closure-leak";

    /// <inheritdoc />
    public override string Title => "Callbacks that keep every request alive";

    /// <inheritdoc />
    public override string Symptom =>
        "Every report request leaves callbacks on the application-stopping token; one closure holds the 128 KB report, so the heap grows with traffic.";

    /// <inheritdoc />
    public override long? RequestCount => Requests;

    public override string Conditions(double scale) => string.Create(CultureInfo.InvariantCulture,
        $"{Requests * scale:N0} report requests of {ReportKilobytes} KB, {Clients} clients; heap read after a full GC before and after");

    /// <inheritdoc />
    public override bool MeasuresRetainedHeap => true;

    /// <inheritdoc />
    public override IReadOnlyList<LabMetric> LabMetrics =>
    [
        new(StoppingCallbacksMetric, "callbacks on the stopping token, peak", MetricSummary.Peak),
        new("reports_rendered_total", "reports rendered"),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<FigureRow> KeyRows =>
    [
        new("heap_retained_bytes", "heap retained by the load (after full GCs)"),
        new(StoppingCallbacksMetric + "_peak", "callbacks on the stopping token, peak"),
        new("completed", "requests answered (any status)"),
        new("heap_peak_bytes", "GC heap peak"),
    ];

    /// <inheritdoc />
    public override HeadlineSpec Headline { get; } = new(RetainedPerRequest, "KB of heap kept per request", Better.Lower, Unit: 1,
        (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"After {broken.Figure("completed"):N0} report requests of {ReportKilobytes} KB and a full collection, Broken's heap kept {h.Broken:N0} KB per request, " +
            $"the whole report, and Fixed's {h.Fixed:N1} KB: {h.RatioText} less, because no callback outlives its request. " +
            $"Callbacks left on the stopping token: {broken.Figure(StoppingCallbacksMetric + "_peak"):N0} against {@fixed.Figure(StoppingCallbacksMetric + "_peak"):N0}. " +
            $"The fix costs nothing measurable: a registration disposed per request."));

    /// <inheritdoc />
    public override ScenarioText Chinese { get; } = new(
        Title: "把每份报表都留在内存里的回调",
        Conditions: scale => string.Create(CultureInfo.InvariantCulture,
            $"{Requests * scale:N0} 个报表请求，每份 {ReportKilobytes} KB，{Clients} 个客户端；负载前后各在一次完整垃圾回收之后读取堆大小"),
        HeadlineLabel: "每个请求留在堆上的 KB 数",
        Sentence: (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"{broken.Figure("completed"):N0} 个 {ReportKilobytes} KB 的报表请求加一次完整垃圾回收之后，Broken 的堆为每个请求留下 {h.Broken:N0} KB，正是整份报表；" +
            $"Fixed 只留下 {h.Fixed:N1} KB，两者相差 {ScenarioText.ChineseRatio(h)}，因为没有哪个回调活得比它的请求更久。" +
            $"停止令牌上留下的回调：Broken {broken.Figure(StoppingCallbacksMetric + "_peak"):N0} 个，Fixed {@fixed.Figure(StoppingCallbacksMetric + "_peak"):N0} 个。" +
            $"修复的代价小到测不出来：每个请求释放一个注册而已。"),
        Labels: new Dictionary<string, string>
        {
            ["heap_retained_bytes"] = "负载留下的存活堆（完整垃圾回收之后）",
            [StoppingCallbacksMetric + "_peak"] = "停止令牌上的回调，峰值",
            ["completed"] = "已应答的请求（任意状态码）",
            ["heap_peak_bytes"] = "GC 堆峰值",
            ["reports_rendered_total"] = "渲染的报表",
        });

    /// <inheritdoc />
    public override Task WarmUpAsync(LabService service, ScenarioContext context, CancellationToken ct) => SendAsync(service, WarmUpRequests, null, ct);

    /// <inheritdoc />
    public override Task<LoadResult> DriveAsync(LabService service, ScenarioContext context, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        return SendAsync(service, context.Scaled(Requests), progress, ct);
    }

    /// <inheritdoc />
    public override void Derive(string variant, LoadResult load, IDictionary<string, double> figures)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(figures);
        if (figures.TryGetValue("heap_retained_bytes", out var retained) && load.Completed > 0)
            figures[RetainedPerRequest] = Math.Round(Math.Max(0, retained) / load.Completed / 1024, 1);
    }

    private static async Task<LoadResult> SendAsync(LabService service, long requests, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        using var client = service.CreateClient(Clients);
        return await LoadDriver.RunRequestsAsync(client, i => new HttpRequestMessage(HttpMethod.Get, $"/api/reports/{1 + i % 500}"),
            Clients, requests, new LoadSettings { RequestTimeout = TimeSpan.FromSeconds(30) }, progress, ct).ConfigureAwait(false);
    }
}
