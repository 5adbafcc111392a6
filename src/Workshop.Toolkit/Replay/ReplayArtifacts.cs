using System.Globalization;
using System.Text;

namespace Workshop.Toolkit.Replay;

/// <summary>Paths of what <see cref="ReplayArtifacts.Write"/> wrote.</summary>
public sealed record ReplayFiles(string Directory, string Json, string Report, IReadOnlyList<string> Charts);

/// <summary>Charts, a markdown report and JSON for a replay: what an instructor shows and a script reads.</summary>
public static class ReplayArtifacts
{
    /// <summary>The folder every run of a lab gets its own folder in: <c>artifacts/replay/NN/</c> under the repository root.</summary>
    public static string DefaultDirectory(string labId) => Path.Combine(Repo.Root, "artifacts", "replay", labId);

    /// <summary>
    /// A new folder for one run, <c>parent/yyyyMMdd-HHmmss</c> (a suffix when two runs share a second), and
    /// <c>parent/latest</c> pointed at it: a symbolic link where the file system has them, else a folder holding a copy.
    /// </summary>
    public static string NewRunDirectory(string parent, DateTimeOffset? now = null)
    {
        var stamp = (now ?? DateTimeOffset.Now).ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var path = Path.Combine(parent, stamp);
        for (var i = 2; Directory.Exists(path); i++) path = Path.Combine(parent, $"{stamp}-{i}");
        Directory.CreateDirectory(path);
        return Path.GetFullPath(path);
    }

    /// <summary>Points <c>latest</c> beside <paramref name="runDirectory"/> at it (see <see cref="NewRunDirectory"/>).</summary>
    public static string PointLatest(string runDirectory)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(runDirectory))!;
        var latest = Path.Combine(parent, "latest");
        var info = new DirectoryInfo(latest);
        if (info.LinkTarget is not null) info.Delete();
        else if (info.Exists) info.Delete(recursive: true);
        else if (File.Exists(latest)) File.Delete(latest);
        try
        {
            Directory.CreateSymbolicLink(latest, Path.GetFileName(runDirectory));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // No symbolic links here (Windows without developer mode): a copy serves the same readers.
            Directory.CreateDirectory(latest);
            foreach (var file in Directory.EnumerateFiles(runDirectory)) File.Copy(file, Path.Combine(latest, Path.GetFileName(file)), overwrite: true);
        }
        return latest;
    }

    /// <summary>Each request's latency by the time it was sent, Broken against Fixed; timeouts drawn as crosses.</summary>
    public static Chart LatencyChart(ReplayResult result, params VariantRun[] others)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Charts.Latency($"{result.Lab}: latency of every request", result.Conditions,
            [(result.Broken.Variant, result.Broken.Load.Samples), (result.Fixed.Variant, result.Fixed.Load.Samples), .. others.Select(o => (o.Variant, o.Load.Samples))]);
    }

    /// <summary>Requests answered in each second of the run, by the time they were answered.</summary>
    public static Chart ThroughputChart(string title, string? subtitle, params VariantRun[] runs) => Charts.Line(
        title, "seconds since the load began", "requests answered per second (higher is better)",
        runs.Select(r => ChartSeries.FromTimeline(r.Variant, r.Load, t => t.Completed)), subtitle: subtitle, fromZero: true);

    /// <summary>
    /// A sampled /metrics figure over time for each run, from zero, e.g. the GC heap in MB; the line breaks where the
    /// service did not answer /metrics for longer than 1.5 s.
    /// </summary>
    public static Chart SeriesChart(string title, string yLabel, string metric, double scale, params VariantRun[] runs) =>
        SeriesChart(title, null, yLabel, metric, scale, 1.5, runs);

    /// <summary>
    /// A sampled /metrics figure over time for each run, from zero, under a subtitle; the line breaks where the
    /// service did not answer /metrics for longer than <paramref name="maxGapSeconds"/>.
    /// </summary>
    public static Chart SeriesChart(string title, string? subtitle, string yLabel, string metric, double scale, double maxGapSeconds, params VariantRun[] runs) => Charts.Line(
        title, "seconds since the load began", yLabel,
        runs.Select(r => ChartSeries.From(r.Variant, r.Series.GetValueOrDefault(metric, []).Select(p => (p.SecondsSinceStart, p.Value / scale)))),
        subtitle: subtitle, fromZero: true, maxGap: maxGapSeconds);

    /// <summary>The headline measure, Broken beside Fixed, from zero, with the ratio in the title.</summary>
    public static Chart HeadlineChart(ReplayResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var h = result.Headline;
        return Charts.Bars($"{result.Lab}: {h.Label}, Fixed {h.RatioText} better", $"{h.Label} ({(h.Better == Better.Lower ? "lower" : "higher")} is better)",
            [(result.Broken.Variant, h.Broken), (result.Fixed.Variant, h.Fixed)], result.Conditions);
    }

    /// <summary>Writes result.json, report.md and the charts (SVG and PNG) into <paramref name="directory"/>.</summary>
    public static ReplayFiles Write(ReplayResult result, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        var charts = new List<string>();
        void Save(string name, Chart chart)
        {
            charts.Add(chart.SaveSvg(Path.Combine(directory, name + ".svg")));
            charts.Add(chart.SavePng(Path.Combine(directory, name + ".png")));
        }

        Save("headline", HeadlineChart(result));
        Save("latency", LatencyChart(result));
        Save("throughput", ThroughputChart($"{result.Lab}: requests answered per second", result.Conditions, result.Broken, result.Fixed));
        Save("heap", SeriesChart($"{result.Lab}: GC heap", result.Conditions, "GC heap (MB, lower is better)", Replayer.HeapMetric, 1024 * 1024, 1.5, result.Broken, result.Fixed));
        Save("thread-pool-queue", SeriesChart($"{result.Lab}: thread pool queue, 1 s moving average", result.Conditions,
            "work items waiting for a thread (lower is better)", Replayer.QueueAverageMetric, 1, 1.5, result.Broken, result.Fixed));

        var json = Path.Combine(directory, "result.json");
        File.WriteAllText(json, result.ToJsonText());
        var report = Path.Combine(directory, "report.md");
        File.WriteAllText(report, Markdown(result));
        return new ReplayFiles(Path.GetFullPath(directory), json, report, charts);
    }

    /// <summary>
    /// The table's rows, formatted, as (label, broken, fixed): the headline first, then the lab's key rows, its other
    /// figures and the common ones; outcomes by status last.
    /// </summary>
    public static IReadOnlyList<(string Label, string Broken, string Fixed)> Rows(ReplayResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var h = result.Headline;
        var rows = new List<(string, string, string)> { (h.Label, Format(h.Metric, h.Broken), Format(h.Metric, h.Fixed)) };
        foreach (var row in result.Rows) rows.Add((row.Label, Cell(result.Broken, row.Key), Cell(result.Fixed, row.Key)));
        rows.Add(("outcomes by status", Statuses(result.Broken.Load), Statuses(result.Fixed.Load)));
        return rows;
    }

    /// <summary>What the unusual outcomes of this replay mean, one sentence each: only those that occurred.</summary>
    public static IReadOnlyList<string> Notes(ReplayResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var seen = result.Broken.Load.ByStatus.Keys.Concat(result.Fixed.Load.ByStatus.Keys).ToHashSet(StringComparer.Ordinal);
        var notes = new List<string>();
        if (seen.Contains("timeout")) notes.Add("timeout: the client gave up waiting for an answer; the request counts in latency at the moment it gave up.");
        if (seen.Contains("unfinished")) notes.Add("unfinished: still waiting for an answer when the run had to end.");
        if (seen.Contains("shed")) notes.Add("shed: never sent, because the client's limit of requests in flight was full until the run ended.");
        if (seen.Contains("error")) notes.Add("error: the connection failed or was closed before an answer (no latency recorded).");
        if (seen.Any(s => s.StartsWith('5'))) notes.Add("5xx: the service answered with a server error.");
        return notes;
    }

    /// <summary>A figure in the units its key names: "_bytes" in MB, "_ms" in ms.</summary>
    public static string Format(string key, double value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!double.IsFinite(value)) return "not measured";
        if (key.EndsWith("_bytes", StringComparison.Ordinal)) return string.Create(CultureInfo.InvariantCulture, $"{value / 1024 / 1024:N1} MB");
        if (key.EndsWith("_ms", StringComparison.Ordinal)) return value.ToString(value < 10 ? "N2" : "N0", CultureInfo.InvariantCulture) + " ms";
        return value.ToString(value % 1 == 0 ? "N0" : "N1", CultureInfo.InvariantCulture);
    }

    // A figure the variant does not have (a metric only Fixed exports) reads as such, never as a number.
    private static string Cell(VariantRun run, string key) => run.Figures.ContainsKey(key) ? Format(key, run.Figure(key)) : "n/a";

    private static string Statuses(LoadResult load) =>
        string.Join(", ", load.ByStatus.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}: {s.Value:N0}"));

    private static string Markdown(ReplayResult result)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Replay of {result.Lab}: {result.Title}").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"**{result.Headline.Label}: Fixed {result.Headline.RatioText} better.** {result.Sentence}").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Conditions: {result.Conditions}.").AppendLine();
        md.AppendLine("| | Broken | Fixed |").AppendLine("|---|---:|---:|");
        foreach (var (label, broken, @fixed) in Rows(result)) md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {broken} | {@fixed} |");
        var notes = Notes(result);
        if (notes.Count > 0)
        {
            md.AppendLine();
            foreach (var note in notes) md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }
        md.AppendLine().AppendLine("![headline](headline.svg)").AppendLine().AppendLine("![latency of every request](latency.svg)").AppendLine()
          .AppendLine("![requests answered per second](throughput.svg)").AppendLine().AppendLine("![GC heap](heap.svg)").AppendLine()
          .AppendLine("![thread pool queue](thread-pool-queue.svg)");
        return md.ToString();
    }
}
