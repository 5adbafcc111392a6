using System.Globalization;
using System.Text;

namespace Workshop.Toolkit.Replay;

/// <summary>Paths of what <see cref="ReplayArtifacts.Write"/> wrote.</summary>
public sealed record ReplayFiles(string Directory, string Json, string Report, IReadOnlyList<string> Charts);

/// <summary>Charts, a markdown report and JSON for a replay: what an instructor shows and a script reads.</summary>
public static class ReplayArtifacts
{
    /// <summary>The default folder: <c>artifacts/replay/NN/</c> under the repository root.</summary>
    public static string DefaultDirectory(string labId) => Path.Combine(Repo.Root, "artifacts", "replay", labId);

    /// <summary>p99 latency per second, Broken against Fixed, on a log scale.</summary>
    public static Chart LatencyChart(ReplayResult result) => Charts.Line(
        $"{result.Lab}: p99 latency per second", "seconds", "p99 (ms, log scale)",
        [
            ChartSeries.FromTimeline("Broken", result.Broken.Load, t => t.P99Ms),
            ChartSeries.FromTimeline("Fixed", result.Fixed.Load, t => t.P99Ms),
        ],
        logY: true);

    /// <summary>A sampled /metrics figure over time for each run, e.g. the GC heap in MB.</summary>
    public static Chart SeriesChart(string title, string yLabel, string metric, double scale, params VariantRun[] runs) => Charts.Line(
        title, "seconds", yLabel,
        runs.Select(r => ChartSeries.From(r.Variant, r.Series.GetValueOrDefault(metric, []).Select(p => (p.SecondsSinceStart, p.Value / scale)))));

    /// <summary>The headline measure, Broken beside Fixed.</summary>
    public static Chart HeadlineChart(ReplayResult result) => Charts.Bars(
        $"{result.Lab}: {result.Headline.Metric} ({result.Headline.Ratio:N1}x)", result.Headline.Metric,
        [("Broken", result.Headline.Broken), ("Fixed", result.Headline.Fixed)]);

    /// <summary>Writes result.json, report.md and the charts (SVG and PNG) into <paramref name="directory"/>.</summary>
    public static ReplayFiles Write(ReplayResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        var charts = new List<string>();
        void Save(string name, Chart chart)
        {
            charts.Add(chart.SaveSvg(Path.Combine(directory, name + ".svg")));
            charts.Add(chart.SavePng(Path.Combine(directory, name + ".png")));
        }

        Save("latency", LatencyChart(result));
        Save("heap", SeriesChart($"{result.Lab}: GC heap", "MB", Replayer.HeapMetric, 1024 * 1024, result.Broken, result.Fixed));
        Save("thread-pool-queue", SeriesChart($"{result.Lab}: thread pool queue, 1 s moving average", "work items", Replayer.QueueAverageMetric, 1, result.Broken, result.Fixed));
        Save("headline", HeadlineChart(result));

        var json = Path.Combine(directory, "result.json");
        File.WriteAllText(json, result.ToJsonText());
        var report = Path.Combine(directory, "report.md");
        File.WriteAllText(report, Markdown(result));
        return new ReplayFiles(Path.GetFullPath(directory), json, report, charts);
    }

    /// <summary>The figures of both variants as (label, broken, fixed) rows, formatted for a table.</summary>
    public static IReadOnlyList<(string Label, string Broken, string Fixed)> Rows(ReplayResult result)
    {
        var rows = new List<(string, string, string)>();
        var keys = VariantRun.CommonFigures.Concat(result.Broken.Figures.Keys.Concat(result.Fixed.Figures.Keys).Distinct()
            .Where(k => VariantRun.CommonFigures.All(c => c.Key != k)).Select(k => (Key: k, Label: k)));
        foreach (var (key, label) in keys) rows.Add((label, Format(key, result.Broken.Figure(key)), Format(key, result.Fixed.Figure(key))));
        rows.Add(("by status", Statuses(result.Broken.Load), Statuses(result.Fixed.Load)));
        return rows;
    }

    /// <summary>A figure in the units its key names.</summary>
    public static string Format(string key, double value)
    {
        if (!double.IsFinite(value)) return "-";
        if (key.EndsWith("_bytes", StringComparison.Ordinal)) return string.Create(CultureInfo.InvariantCulture, $"{value / 1024 / 1024:N1} MB");
        if (key.EndsWith("_ms", StringComparison.Ordinal)) return value.ToString(value < 10 ? "N2" : "N0", CultureInfo.InvariantCulture);
        return value.ToString(value % 1 == 0 ? "N0" : "N1", CultureInfo.InvariantCulture);
    }

    private static string Statuses(LoadResult load) =>
        string.Join(", ", load.ByStatus.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}: {s.Value:N0}"));

    private static string Markdown(ReplayResult result)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Replay of {result.Lab}: {result.Title}").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"**{result.Headline.Metric}: {result.Headline.Ratio:N1}x better fixed.** {result.Sentence}").AppendLine();
        md.AppendLine("| | Broken | Fixed |").AppendLine("|---|---:|---:|");
        foreach (var (label, broken, @fixed) in Rows(result)) md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {broken} | {@fixed} |");
        md.AppendLine().AppendLine("![p99 latency](latency.svg)").AppendLine().AppendLine("![GC heap](heap.svg)").AppendLine()
          .AppendLine("![thread pool queue](thread-pool-queue.svg)").AppendLine().AppendLine("![headline](headline.svg)");
        return md.ToString();
    }
}
