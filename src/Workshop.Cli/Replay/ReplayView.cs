using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Workshop.Cli.Localization;
using Workshop.Toolkit.Charting;
using Workshop.Toolkit.Prometheus;
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
    public static async Task<ReplayResult> RunAsync(IAnsiConsole console, LabScenario scenario, double scale, CancellationToken ct,
        IReplayObserver? observer = null, IProgress<ReplayProgress>? alsoTo = null)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            var lines = new Reporter(p =>
            {
                alsoTo?.Report(p);
                if (p.Phase != "load") console.MarkupLine("[dim]" + Markup.Escape($"{scenario.Id} {p.Variant}: {Phase(p.Phase)}{Figures(p)}") + "[/]");
            });
            return await Replayer.RunAsync(scenario, scale, lines, ct, observer);
        }

        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                ProgressTask Task(string variant)
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue(variant, out var task))
                            tasks[variant] = task = context.AddTask(Describe(scenario, variant, Phase("starting"), ""), maxValue: 1);
                        return task;
                    }
                }

                var progress = new Reporter(p =>
                {
                    alsoTo?.Report(p);
                    var task = Task(p.Variant);
                    if (p.Phase is "stopping" or "done") task.Value = task.MaxValue;
                    task.Description = Describe(scenario, p.Variant, Phase(p.Phase), Figures(p));
                    if (p.Phase == "done") task.StopTask();
                });
                return await Replayer.RunAsync(scenario, scale, progress, ct, observer);
            });
    }

    /// <summary>Broken's colour, for markup.</summary>
    public const string BrokenColour = ChartColors.Broken;

    /// <summary>Fixed's colour, for markup.</summary>
    public const string FixedColour = ChartColors.Fixed;

    /// <summary>
    /// The side-by-side table: the headline's row first and in bold, then the rows the lab names as telling, then the
    /// rest. Every cell stays on one line: labels and values are short, so it fits 120 columns.
    /// </summary>
    public static Table Table(ReplayResult result, ScenarioWords words, double scale)
    {
        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(result.Lab)}[/]: {Markup.Escape(words.Title)}")
            .AddColumn(new TableColumn("").NoWrap())
            .AddColumn(new TableColumn($"[bold {BrokenColour}]Broken[/]").RightAligned().NoWrap())
            .AddColumn(new TableColumn($"[bold {FixedColour}]Fixed[/]").RightAligned().NoWrap());
        var first = true;
        foreach (var (label, broken, @fixed) in words.Rows(result))
        {
            table.AddRow(Cell(label, first), Cell(broken, first), Cell(@fixed, first));
            first = false;
        }
        // A caption is as wide as its table, which is narrower than the console: Chinese is broken to a width it fits.
        table.Caption($"[dim]{Markup.Escape(words.Wrap(words.Conditions(result, scale), 56))}[/]");
        return table;
    }

    /// <summary>The headline: the measure, both values, how many times better Fixed is, and what it means.</summary>
    public static IRenderable Headline(ReplayResult result, ScenarioWords words, int width)
    {
        var h = result.Headline;
        var colour = h.Ratio >= 10 ? "green" : h.Ratio >= 1 ? "yellow" : "red";
        var text = new Markup(Texts.Get("Replay.Headline", Markup.Escape(words.HeadlineLabel(h)), Better(h.Better),
            $"[{BrokenColour}]{Markup.Escape(ReplayArtifacts.Format(h.Metric, h.Broken))}[/]", $"[{FixedColour}]{Markup.Escape(ReplayArtifacts.Format(h.Metric, h.Fixed))}[/]",
            $"[bold {colour}]{Markup.Escape(words.RatioText(h))}[/]") + "\n" + Markup.Escape(words.Wrap(words.Sentence(result), width - 4)));
        return new Panel(text).Header(Texts.Get("Replay.HeadlineHeader", Markup.Escape(result.Lab))).BorderColor(Color.Grey).Expand();
    }

    /// <summary>One row per lab of `replay all`: its headline measure, both values and the ratio.</summary>
    public static Table Summary(IReadOnlyList<(ReplayResult Result, string Directory, ScenarioWords Words)> replays)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Texts.Get("Replay.SummaryTitle"))
            .AddColumn(Texts.Get("Replay.SummaryLab"))
            .AddColumn(new TableColumn($"[bold {BrokenColour}]Broken[/]").RightAligned().NoWrap())
            .AddColumn(new TableColumn($"[bold {FixedColour}]Fixed[/]").RightAligned().NoWrap())
            .AddColumn(new TableColumn(Texts.Get("Replay.SummaryFixedIs")).RightAligned().NoWrap());
        foreach (var (result, directory, words) in replays)
        {
            var h = result.Headline;
            table.AddRow(
                new Markup($"[bold]{Markup.Escape(result.Lab)}[/]\n[dim]" + Texts.Get("Replay.SummaryMeasure", Markup.Escape(words.HeadlineLabel(h)), Better(h.Better), Markup.Escape(directory)) + "[/]"),
                new Text(ReplayArtifacts.Format(h.Metric, h.Broken)),
                new Text(ReplayArtifacts.Format(h.Metric, h.Fixed)),
                new Markup(Texts.Get("Replay.SummaryBetter", $"[bold]{Markup.Escape(words.RatioText(h))}[/]")));
        }
        return table;
    }

    /// <summary>"lower is better" or "higher is better", in the current language.</summary>
    private static string Better(Better better) => Texts.Get(better == Toolkit.Replay.Better.Lower ? "Replay.LowerBetter" : "Replay.HigherBetter");

    /// <summary>A phase of the replay engine (starting, load, stopping, done, ...) in the current language; unknown ones as they are.</summary>
    internal static string Phase(string phase) => Texts.All("Phase.").TryGetValue(phase, out var word) ? word : phase;

    private static Markup Cell(string text, bool bold) => new(bold ? $"[bold]{Markup.Escape(text)}[/]" : Markup.Escape(text));

    private static string Describe(LabScenario scenario, string variant, string phase, string figures)
    {
        var colour = ChartColors.For(variant);
        return $"{scenario.Id} [{colour}]{Markup.Escape(variant),-6}[/] {Markup.Escape(phase).PadRight(8 - (Language.IsChinese() ? phase.Length : 0))}[dim]{Markup.Escape(figures)}[/]";
    }

    private static string Figures(ReplayProgress p)
    {
        var parts = new List<string>();
        if (p.Load is { } load)
        {
            parts.Add(Texts.Get("Replay.FigureDone", load.Completed.ToString("N0", CultureInfo.InvariantCulture)));
            parts.Add(Texts.Get("Replay.FigureInFlight", load.InFlight.ToString(CultureInfo.InvariantCulture)));
            if (double.IsFinite(load.P99Ms)) parts.Add(Texts.Get("Replay.FigureP99", load.P99Ms.ToString("N0", CultureInfo.InvariantCulture)));
        }
        if (p.HeapBytes is { } heap && double.IsFinite(heap)) parts.Add(Texts.Get("Replay.FigureHeap", (heap / 1024 / 1024).ToString("N1", CultureInfo.InvariantCulture)));
        if (p.ThreadPoolQueue is { } queue && double.IsFinite(queue)) parts.Add(Texts.Get("Replay.FigureQueue", queue.ToString("N0", CultureInfo.InvariantCulture)));
        return parts.Count == 0 ? "" : " · " + string.Join(" · ", parts);
    }

    // Progress<T> would post to the thread pool; the display wants each report now and in order.
    private sealed class Reporter(Action<ReplayProgress> report) : IProgress<ReplayProgress>
    {
        public void Report(ReplayProgress value) => report(value);
    }

    /// <summary>
    /// What a real Prometheus answers in PromQL over each variant's load window, beside the replay's own figure for the
    /// same thing, and the queries it was asked.
    /// </summary>
    public static IRenderable PromQl(Uri prometheus, ReplayResult result, DashboardFigures broken, DashboardFigures @fixed)
    {
        const double MB = 1024 * 1024;
        var rows = new (string Label, Func<DashboardFigures, double> Prom, Func<VariantRun, double> Own, string Format)[]
        {
            (Texts.Get("Replay.PromRequests"), d => d.Requests, r => r.Figure("completed"), "N0"),
            (Texts.Get("Replay.PromErrors"), d => d.ErrorRatio, r => r.Figure("completed") > 0 ? r.Figure("errors") / r.Figure("completed") : 0, "P1"),
            (Texts.Get("Replay.PromP99"), d => d.P99Milliseconds, r => r.Figure("p99_ms"), "N1"),
            // After the replay's full collections when it makes them (the heap it kept), else start to end.
            (Texts.Get("Replay.PromHeapGrowth"), d => d.HeapGrowthBytes / MB,
                r => (double.IsFinite(r.Figure("heap_retained_bytes")) ? r.Figure("heap_retained_bytes") : r.Figure("heap_growth_bytes")) / MB, "N1"),
            (Texts.Get("Replay.PromHeapPeak"), d => d.HeapPeakBytes / MB, r => r.Figure("heap_peak_bytes") / MB, "N1"),
            (Texts.Get("Replay.PromQueue"), d => d.ThreadPoolQueuePeak, r => r.Figure("thread_pool_queue_peak"), "N0"),
        };
        static string Value(double value, string format) => double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "-";
        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title(Texts.Get("Replay.PromTitle", Markup.Escape(prometheus.ToString())))
            .AddColumn(new TableColumn("").NoWrap())
            .AddColumn(new TableColumn($"[{BrokenColour}]Broken PromQL[/]").RightAligned().NoWrap())
            .AddColumn(new TableColumn(Texts.Get("Replay.PromOwn")).RightAligned().NoWrap())
            .AddColumn(new TableColumn($"[{FixedColour}]Fixed PromQL[/]").RightAligned().NoWrap())
            .AddColumn(new TableColumn(Texts.Get("Replay.PromOwn")).RightAligned().NoWrap());
        foreach (var (label, prom, own, format) in rows)
            table.AddRow(Markup.Escape(label), Value(prom(broken), format), Value(own(result.Broken), format), Value(prom(@fixed), format), Value(own(result.Fixed), format));
        var queries = broken.Queries.Select(q => (IRenderable)new Markup($"[dim]  {Markup.Escape(q.Key)}: {Markup.Escape(q.Value)}[/]"));
        return new Rows([table, .. queries]);
    }
}
