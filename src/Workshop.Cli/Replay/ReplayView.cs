using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Workshop.Toolkit;
using Workshop.Toolkit.Replay;

namespace Workshop.Cli.Replay;

/// <summary>How a replay looks: the live display while it runs, the side-by-side table and the headline after.</summary>
internal static class ReplayView
{
    /// <summary>
    /// Runs the replay under a live display on <paramref name="console"/> (stderr): one bar per variant, with its
    /// phase, requests done, p99 of the last second, GC heap and thread pool queue. A console that is not a
    /// terminal (a pipe, a CI log) gets one line per phase instead of redrawn bars.
    /// </summary>
    public static async Task<ReplayResult> RunAsync(IAnsiConsole console, LabScenario scenario, TimeSpan duration, CancellationToken ct)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            var lines = new Reporter(p =>
            {
                if (p.Phase != "load") console.MarkupLineInterpolated($"[dim]{scenario.Id} {p.Variant}: {p.Phase}{Figures(p)}[/]");
            });
            return await Replayer.RunAsync(scenario, duration, lines, ct);
        }

        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                ProgressTask Task(string variant)
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue(variant, out var task))
                            tasks[variant] = task = context.AddTask(Describe(scenario, variant, "starting", ""), maxValue: duration.TotalSeconds);
                        return task;
                    }
                }

                var progress = new Reporter(p =>
                {
                    var task = Task(p.Variant);
                    if (p.Load is { } load) task.Value = Math.Min(load.Elapsed.TotalSeconds, duration.TotalSeconds);
                    if (p.Phase is "stopping" or "done") task.Value = task.MaxValue;
                    task.Description = Describe(scenario, p.Variant, p.Phase, Figures(p));
                    if (p.Phase == "done") task.StopTask();
                });
                return await Replayer.RunAsync(scenario, duration, progress, ct);
            });
    }

    /// <summary>The side-by-side table: every figure of both variants, the headline's row in bold, and the ratio.</summary>
    public static Table Table(ReplayResult result, TimeSpan duration)
    {
        var headlineLabel = VariantRun.CommonFigures.FirstOrDefault(f => f.Key == result.Headline.Metric).Label ?? result.Headline.Metric;
        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(result.Lab)}[/]: {Markup.Escape(result.Title)} [dim]({duration.TotalSeconds:0.#} s of load each)[/]")
            .AddColumn("")
            .AddColumn(new TableColumn("[red]Broken[/]").RightAligned())
            .AddColumn(new TableColumn("[green]Fixed[/]").RightAligned());
        foreach (var (label, broken, @fixed) in ReplayArtifacts.Rows(result))
        {
            var bold = label == headlineLabel;
            table.AddRow(Cell(label, bold), Cell(broken, bold), Cell(@fixed, bold));
        }
        return table;
    }

    /// <summary>The headline: the measure, both values, how many times better Fixed is, and what it means.</summary>
    public static IRenderable Headline(ReplayResult result)
    {
        var h = result.Headline;
        var ratio = double.IsFinite(h.Ratio) ? h.Ratio.ToString("N1", CultureInfo.InvariantCulture) + "x" : "-";
        var colour = h.Ratio >= 1 ? "green" : "red";
        var text = new Markup(
            $"[bold]{Markup.Escape(h.Metric)}[/] ({(h.Better == Better.Lower ? "lower" : "higher")} is better): " +
            $"Broken [red]{Markup.Escape(Value(h.Metric, h.Broken))}[/], Fixed [green]{Markup.Escape(Value(h.Metric, h.Fixed))}[/]: " +
            $"[bold {colour}]{ratio}[/] better fixed.\n{Markup.Escape(result.Sentence)}");
        return new Panel(text).Header(" headline ").BorderColor(Color.Green).Expand();
    }

    /// <summary>One row per lab of `replay all`: its headline measure, both values and the ratio.</summary>
    public static Table Summary(IReadOnlyList<(ReplayResult Result, string Directory)> replays)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Every lab, broken against fixed[/]")
            .AddColumn("Lab and headline measure")
            .AddColumn(new TableColumn("[red]Broken[/]").RightAligned().NoWrap())
            .AddColumn(new TableColumn("[green]Fixed[/]").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Fixed is").RightAligned().NoWrap());
        foreach (var (result, directory) in replays)
        {
            var h = result.Headline;
            table.AddRow(
                new Markup($"[bold]{Markup.Escape(result.Lab)}[/]\n[dim]{Markup.Escape(h.Metric)} ({(h.Better == Better.Lower ? "lower" : "higher")} is better), {Markup.Escape(directory)}/[/]"),
                new Text(Value(h.Metric, h.Broken)),
                new Text(Value(h.Metric, h.Fixed)),
                new Markup($"[bold]{h.Ratio.ToString("N1", CultureInfo.InvariantCulture)}x[/] better"));
        }
        return table;
    }

    /// <summary>A figure with its unit: the toolkit formats "_bytes" as MB already; "_ms" gets its "ms" here.</summary>
    private static string Value(string metric, double value) =>
        ReplayArtifacts.Format(metric, value) + (metric.EndsWith("_ms", StringComparison.Ordinal) && double.IsFinite(value) ? " ms" : "");

    private static Markup Cell(string text, bool bold) => new(bold ? $"[bold]{Markup.Escape(text)}[/]" : Markup.Escape(text));

    private static string Describe(LabScenario scenario, string variant, string phase, string figures)
    {
        var colour = variant == "Fixed" ? "green" : "red";
        return $"{scenario.Id} [{colour}]{Markup.Escape(variant),-6}[/] {Markup.Escape(phase),-8}[dim]{Markup.Escape(figures)}[/]";
    }

    private static string Figures(ReplayProgress p)
    {
        var parts = new List<string>();
        if (p.Load is { } load)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{load.Completed:N0} done"));
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{load.InFlight} in flight"));
            if (double.IsFinite(load.P99Ms)) parts.Add(string.Create(CultureInfo.InvariantCulture, $"p99 {load.P99Ms:N0} ms"));
        }
        if (p.HeapBytes is { } heap && double.IsFinite(heap)) parts.Add(string.Create(CultureInfo.InvariantCulture, $"heap {heap / 1024 / 1024:N1} MB"));
        if (p.ThreadPoolQueue is { } queue && double.IsFinite(queue)) parts.Add(string.Create(CultureInfo.InvariantCulture, $"pool queue {queue:N0}"));
        return parts.Count == 0 ? "" : " · " + string.Join(" · ", parts);
    }

    // Progress<T> would post to the thread pool; the display wants each report now and in order.
    private sealed class Reporter(Action<ReplayProgress> report) : IProgress<ReplayProgress>
    {
        public void Report(ReplayProgress value) => report(value);
    }
}
