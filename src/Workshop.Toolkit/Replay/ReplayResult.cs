using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workshop.Toolkit.Replay;

/// <summary>One variant's replay: its load result, its figures, and its sampled /metrics series.</summary>
public sealed record VariantRun(
    string Variant,
    LoadResult Load,
    IReadOnlyDictionary<string, double> Figures,
    IReadOnlyDictionary<string, IReadOnlyList<(double SecondsSinceStart, double Value)>> Series,
    StopResult Stop)
{
    /// <summary>A figure by key (NaN when the service never reported it).</summary>
    public double Figure(string key) => Figures.TryGetValue(key, out var value) ? value : double.NaN;

    /// <summary>The figures every replay measures, in table order, with their labels in words.</summary>
    public static IReadOnlyList<FigureRow> CommonFigures { get; } =
    [
        new("requests", "requests sent"),
        new("completed", "requests answered (any status)"),
        new("throughput_rps", "answered per second"),
        new("p50_ms", "latency p50"),
        new("p95_ms", "latency p95"),
        new("p99_ms", "latency p99"),
        new("max_ms", "latency max"),
        new("errors", "errors: timeouts, 5xx, transport"),
        new("heap_start_bytes", "GC heap at start"),
        new("heap_peak_bytes", "GC heap peak"),
        new("heap_end_bytes", "GC heap at end"),
        new("heap_growth_bytes", "GC heap growth, start to end"),
        new("heap_retained_bytes", "heap retained by the load (after full GCs)"),
        new("thread_pool_queue_peak", "thread pool queue peak (work items)"),
        new("thread_pool_queue_average_peak", "thread pool queue, highest 1 s average"),
        new("thread_pool_threads_peak", "thread pool threads peak"),
        new("metrics_scrape_failures", "/metrics scrapes that failed"),
    ];

    internal static VariantRun From(string variant, LoadResult load, IReadOnlyDictionary<string, IReadOnlyList<(double, double)>> series,
        IEnumerable<LabMetric> labMetrics, StopResult stop, int scrapeFailures, IReadOnlyDictionary<string, double> measured,
        Action<IDictionary<string, double>> derive)
    {
        static double Last(IReadOnlyList<(double, double Value)> s) => s.Count > 0 ? s[^1].Value : double.NaN;
        static double First(IReadOnlyList<(double, double Value)> s) => s.Count > 0 ? s[0].Value : double.NaN;
        static double Peak(IReadOnlyList<(double, double Value)> s) => s.Count > 0 ? s.Max(p => p.Value) : double.NaN;

        var heap = series[Replayer.HeapMetric];
        var figures = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["requests"] = load.Requests,
            ["completed"] = load.Completed,
            ["throughput_rps"] = Math.Round(load.Throughput, 1),
            ["p50_ms"] = Math.Round(load.P50, 2),
            ["p95_ms"] = Math.Round(load.P95, 2),
            ["p99_ms"] = Math.Round(load.P99, 2),
            ["max_ms"] = Math.Round(load.Max, 2),
            ["errors"] = load.Errors,
            ["heap_start_bytes"] = First(heap),
            ["heap_peak_bytes"] = Peak(heap),
            ["heap_end_bytes"] = Last(heap),
            ["heap_growth_bytes"] = Last(heap) - First(heap),
            ["thread_pool_queue_peak"] = Peak([.. series[Replayer.QueueMetric], .. series[Replayer.QueuePeakMetric]]),
            ["thread_pool_queue_average_peak"] = Math.Round(Peak(series[Replayer.QueueAverageMetric]), 1),
            ["thread_pool_threads_peak"] = Peak(series[Replayer.ThreadsMetric]),
            ["metrics_scrape_failures"] = scrapeFailures,
        };
        foreach (var metric in labMetrics)
        {
            var s = series[metric.Name];
            figures[metric.Key] = metric.Summary == MetricSummary.Peak ? Peak(s) : Last(s);
        }
        foreach (var (key, value) in measured) figures[key] = value;
        derive(figures);
        return new VariantRun(variant, load, figures, series, stop);
    }

    internal JsonObject ToJson()
    {
        var json = new JsonObject { ["variant"] = Variant };
        foreach (var (key, value) in Figures) json[key] = double.IsFinite(value) ? value : null;
        var byStatus = new JsonObject();
        foreach (var (status, count) in Load.ByStatus.OrderBy(s => s.Key, StringComparer.Ordinal)) byStatus[status] = count;
        json["by_status"] = byStatus;
        json["stopped_gracefully"] = Stop.Graceful;
        return json;
    }
}

/// <summary>A lab replayed: Broken and Fixed under the same load, and the headline that compares them.</summary>
/// <param name="Lab">The lab's folder name.</param>
/// <param name="Title">Its title.</param>
/// <param name="Conditions">The replay's conditions in one line (knobs, clients, requests).</param>
/// <param name="Headline">The measure compared.</param>
/// <param name="Sentence">What it means, and what the fix costs.</param>
/// <param name="Broken">Broken's run.</param>
/// <param name="Fixed">Fixed's run.</param>
/// <param name="Rows">The table's rows after the headline's, the lab's key rows first.</param>
public sealed record ReplayResult(string Lab, string Title, string Conditions, Headline Headline, string Sentence, VariantRun Broken, VariantRun Fixed,
    IReadOnlyList<FigureRow> Rows)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// The replay as JSON, for scripts: <c>{"lab", "headline": {"metric", "better", "broken", "fixed", "ratio"},
    /// "sentence", "broken": {...figures}, "fixed": {...figures}}</c>; <c>ratio</c> is how many times better Fixed is.
    /// </summary>
    public JsonObject ToJson() => new()
    {
        ["lab"] = Lab,
        ["headline"] = new JsonObject
        {
            ["metric"] = Headline.Metric,
            ["label"] = Headline.Label,
            ["better"] = Headline.Better == Better.Lower ? "lower" : "higher",
            ["broken"] = Finite(Headline.Broken),
            ["fixed"] = Finite(Headline.Fixed),
            ["ratio"] = Finite(Headline.Ratio),
            ["at_least"] = Headline.AtLeast,
        },
        ["conditions"] = Conditions,
        ["sentence"] = Sentence,
        ["broken"] = Broken.ToJson(),
        ["fixed"] = Fixed.ToJson(),
    };

    /// <summary><see cref="ToJson"/> as indented text.</summary>
    public string ToJsonText() => ToJson().ToJsonString(Indented);

    private static JsonNode? Finite(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
