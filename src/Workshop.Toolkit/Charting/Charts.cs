using System.Globalization;
using System.Text;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Workshop.Toolkit.Charting;

/// <summary>One line of a chart. Points whose X or Y is NaN or infinite (a second with no answers) are left out.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>A series from (x, y) points, e.g. <see cref="MetricsSampler.Series"/>.</summary>
    public static ChartSeries From(string name, IEnumerable<(double X, double Y)> points)
    {
        var list = points.ToList();
        return new ChartSeries(name, list.ConvertAll(p => p.X), list.ConvertAll(p => p.Y));
    }

    /// <summary>A series over a run's per-second timeline, e.g. <c>FromTimeline("Broken p99", result, t => t.P99Ms)</c>.</summary>
    public static ChartSeries FromTimeline(string name, LoadResult result, Func<LoadTick, double> value) =>
        new(name, result.Timeline.Select(t => (double)t.Second).ToList(), result.Timeline.Select(value).ToList());
}

/// <summary>A rendered-on-demand chart: save it as SVG or PNG, or take the SVG text for a notebook cell.</summary>
public sealed class Chart
{
    internal Chart(Plot plot) => Plot = plot;

    /// <summary>The ScottPlot plot underneath, for anything these helpers do not cover.</summary>
    public Plot Plot { get; }

    /// <summary>Width in pixels for SVG output (default 800).</summary>
    public int Width { get; set; } = 800;

    /// <summary>Height in pixels for SVG output (default 450).</summary>
    public int Height { get; set; } = 450;

    /// <summary>Writes the chart as SVG; returns the full path.</summary>
    public string SaveSvg(string path)
    {
        var full = Prepare(path);
        File.WriteAllText(full, ToSvg());
        return full;
    }

    /// <summary>Writes the chart as PNG; returns the full path.</summary>
    public string SavePng(string path, int width = 800, int height = 450)
    {
        var full = Prepare(path);
        File.WriteAllBytes(full, ToPng(width, height));
        return full;
    }

    /// <summary>The chart as SVG markup, which notebooks display inline.</summary>
    public string ToSvg() => Plot.GetSvgXml(Width, Height);

    /// <summary>The chart as PNG bytes.</summary>
    public byte[] ToPng(int width = 800, int height = 450) => Plot.GetImageBytes(width, height, ImageFormat.Png);

    private static string Prepare(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }
}

/// <summary>
/// The workshop's colours, the same on every chart and in the terminal: Broken in vermillion, Fixed in blue (the
/// Okabe-Ito pair, told apart by colour-blind readers too), any other variant in reddish purple.
/// </summary>
public static class ChartColors
{
    /// <summary>Broken: vermillion.</summary>
    public const string Broken = "#D55E00";

    /// <summary>Fixed: blue.</summary>
    public const string Fixed = "#0072B2";

    /// <summary>Any other variant (lab 01's naive fix): reddish purple.</summary>
    public const string Other = "#CC79A7";

    /// <summary>The colour of a series or variant by its name: "Broken ...", "Fixed ...", anything else.</summary>
    public static string For(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.StartsWith("Broken", StringComparison.OrdinalIgnoreCase)) return Broken;
        return name.StartsWith("Fixed", StringComparison.OrdinalIgnoreCase) ? Fixed : Other;
    }

    internal static Color Of(string name) => Color.FromHex(For(name));
}

/// <summary>The charts the labs need: a figure over time, each request's latency by when it was sent, and Broken's number beside Fixed's.</summary>
public static class Charts
{
    /// <summary>
    /// Lines over a shared x axis (usually seconds), each in its variant's colour (see <see cref="ChartColors"/>).
    /// With <paramref name="logY"/> the y axis is logarithmic, which keeps a 2 ms fixed service and a 4 s broken one
    /// readable on one chart; points at or below zero are then left out, as a log scale has no place for them. With
    /// <paramref name="maxGap"/>, a line breaks where two samples are further apart than that, so no line is drawn
    /// across an interval without samples. With <paramref name="fromZero"/>, the y axis starts at zero.
    /// </summary>
    public static Chart Line(string title, string xLabel, string yLabel, IEnumerable<ChartSeries> series, bool logY = false,
        string? subtitle = null, bool fromZero = false, double? maxGap = null)
    {
        var plot = NewPlot(title, subtitle, xLabel, yLabel);
        var index = 0;
        var highest = 0.0;
        foreach (var s in series)
        {
            if (s.X.Count != s.Y.Count)
                throw new ArgumentException($"Series '{s.Name}' has {s.X.Count} x values and {s.Y.Count} y values.", nameof(series));
            var points = s.X.Zip(s.Y)
                .Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second) && (!logY || p.Second > 0))
                .OrderBy(p => p.First)
                .ToList();
            var colour = ChartColors.Of(s.Name);
            var first = true;
            foreach (var segment in Segments(points, maxGap))
            {
                var xs = segment.Select(p => p.First).ToArray();
                var ys = segment.Select(p => logY ? Math.Log10(p.Second) : p.Second).ToArray();
                var line = plot.Add.Scatter(xs, ys, colour);
                line.LineWidth = 2;
                line.MarkerSize = points.Count > 60 ? 0 : 5;
                if (first) line.LegendText = s.Name;
                first = false;
                if (ys.Length > 0) highest = Math.Max(highest, ys.Max());
            }
            index++;
        }

        if (logY) LogTicks(plot);
        else if (fromZero) plot.Axes.SetLimitsY(0, Math.Max(highest * 1.1, 1));
        if (index > 1) plot.ShowLegend(Alignment.UpperLeft);
        return new Chart(plot);
    }

    /// <summary>
    /// Each request as a dot: x is when it was sent, y its latency (log scale), in its variant's colour. Requests
    /// the client gave up on are drawn as crosses and those cut off at the end of the run as open circles, each
    /// with its own legend entry, so a stall shows as a wall of crosses, not as a line that stops. At most
    /// <paramref name="maxPoints"/> answered requests a run are drawn (evenly spread); every failed one is.
    /// </summary>
    public static Chart Latency(string title, string? subtitle, IEnumerable<(string Name, IReadOnlyList<RequestSample> Samples)> runs, int maxPoints = 4_000)
    {
        var plot = NewPlot(title, subtitle, "time the request was sent (s since the load began)", "latency (ms, log scale; lower is better)");
        foreach (var (name, samples) in runs)
        {
            var colour = ChartColors.Of(name);
            var answered = samples.Where(r => r.Answered).ToList();
            var stride = Math.Max(1, (int)Math.Ceiling(answered.Count / (double)maxPoints));
            // Failures first, so the answered requests among them stay visible on top.
            Dots(plot, $"{name}: client gave up (timeout)", samples.Where(r => r.Status == "timeout").Take(maxPoints), colour, MarkerShape.Eks, 7);
            Dots(plot, $"{name}: still waiting at the end", samples.Where(r => r.Status == "unfinished").Take(maxPoints), colour, MarkerShape.OpenCircle, 7);
            Dots(plot, $"{name}: connection failed", samples.Where(r => r.Status == "error").Take(maxPoints), colour, MarkerShape.OpenSquare, 6);
            Dots(plot, $"{name}: answered", answered.Where((_, i) => i % stride == 0), colour, MarkerShape.FilledCircle, 3);
        }

        LogTicks(plot);
        // Beside the data, not over it: a stall fills the top of the chart and a healthy service its bottom.
        plot.ShowLegend(Edge.Bottom);
        return new Chart(plot);
    }

    /// <summary>One bar per label, each in its variant's colour with its value on top: "Broken" against "Fixed", from zero.</summary>
    public static Chart Bars(string title, string yLabel, IEnumerable<(string Label, double Value)> bars, string? subtitle = null)
    {
        var plot = NewPlot(title, subtitle, null, yLabel);
        var list = bars.ToList();
        var items = list.Select((b, i) => new Bar
        {
            Position = i,
            Value = double.IsFinite(b.Value) ? b.Value : 0,
            FillColor = ChartColors.Of(b.Label),
            Label = double.IsFinite(b.Value) ? Format(b.Value) : "not measured",
        }).ToArray();
        var barPlot = plot.Add.Bars(items);
        barPlot.ValueLabelStyle.FontSize = 14;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, list.Count).Select(i => (double)i).ToArray(), list.Select(b => b.Label).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        // Bars stand on the axis: no margin below zero, room above the tallest for its label.
        plot.Axes.Margins(bottom: 0, top: 0.15);
        return new Chart(plot);
    }

    private static Plot NewPlot(string title, string? subtitle, string? xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(string.IsNullOrWhiteSpace(subtitle) ? title : $"{title}\n{Wrap(subtitle, SubtitleLineLength)}", size: string.IsNullOrWhiteSpace(subtitle) ? 16 : 13);
        if (xLabel is not null) plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    /// <summary>Characters of a subtitle line that fit the 800-pixel width at the title's size.</summary>
    internal const int SubtitleLineLength = 100;

    /// <summary>Breaks <paramref name="text"/> at spaces into lines of at most <paramref name="width"/> characters (a longer word stands alone).</summary>
    internal static string Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return string.Join('\n', lines);
    }

    private static void Dots(Plot plot, string legend, IEnumerable<RequestSample> samples, Color colour, MarkerShape shape, float size)
    {
        var list = samples.Where(r => r.LatencyMs > 0).ToList();
        if (list.Count == 0) return;
        var markers = plot.Add.Markers(list.Select(r => r.SentSeconds).ToArray(), list.Select(r => Math.Log10(r.LatencyMs)).ToArray(), shape, size, colour);
        markers.LegendText = $"{legend} ({list.Count:N0})";
    }

    private static IEnumerable<List<(double First, double Second)>> Segments(List<(double First, double Second)> points, double? maxGap)
    {
        var segment = new List<(double, double)>();
        foreach (var p in points)
        {
            if (maxGap is { } gap && segment.Count > 0 && p.First - segment[^1].Item1 > gap)
            {
                yield return segment;
                segment = [];
            }
            segment.Add(p);
        }
        if (segment.Count > 0) yield return segment;
    }

    private static void LogTicks(Plot plot) =>
        // ScottPlot draws log axes as linear axes over log10(y) with decade ticks labelled in real units.
        plot.Axes.Left.TickGenerator = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Format(Math.Pow(10, y)),
        };

    private static string Format(double value) => value switch
    {
        >= 100 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.##", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
