using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Workshop.Toolkit;

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

/// <summary>The two charts the labs need: a metric over time, and broken-versus-fixed numbers side by side.</summary>
public static class Charts
{
    /// <summary>
    /// Lines over a shared x axis (usually seconds). With <paramref name="logY"/> the y axis is logarithmic, which
    /// keeps a 2 ms fixed service and a 4 s broken one readable on one chart; points at or below zero are then
    /// left out, as a log scale has no place for them.
    /// </summary>
    public static Chart Line(string title, string xLabel, string yLabel, IEnumerable<ChartSeries> series, bool logY = false)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var s in series)
        {
            if (s.X.Count != s.Y.Count)
                throw new ArgumentException($"Series '{s.Name}' has {s.X.Count} x values and {s.Y.Count} y values.", nameof(series));
            var points = s.X.Zip(s.Y)
                .Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second) && (!logY || p.Second > 0))
                .ToList();
            var xs = points.Select(p => p.First).ToArray();
            var ys = points.Select(p => logY ? Math.Log10(p.Second) : p.Second).ToArray();
            var line = plot.Add.Scatter(xs, ys, palette.GetColor(index++));
            line.LegendText = s.Name;
            line.LineWidth = 2;
            line.MarkerSize = xs.Length > 60 ? 0 : 4;
        }

        if (logY)
        {
            // ScottPlot draws log axes as linear axes over log10(y) with decade ticks labelled in real units.
            plot.Axes.Left.TickGenerator = new NumericAutomatic
            {
                MinorTickGenerator = new LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Format(Math.Pow(10, y)),
            };
        }

        if (index > 1) plot.ShowLegend(Alignment.UpperLeft);
        return new Chart(plot);
    }

    /// <summary>One bar per label, each in its own colour with its value on top: "Broken p99" against "Fixed p99".</summary>
    public static Chart Bars(string title, string yLabel, IEnumerable<(string Label, double Value)> bars)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.YLabel(yLabel);
        var palette = new ScottPlot.Palettes.Category10();
        var list = bars.ToList();
        var items = list.Select((b, i) => new Bar
        {
            Position = i,
            Value = b.Value,
            FillColor = palette.GetColor(i),
            Label = Format(b.Value),
        }).ToArray();
        var barPlot = plot.Add.Bars(items);
        barPlot.ValueLabelStyle.FontSize = 14;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, list.Count).Select(i => (double)i).ToArray(), list.Select(b => b.Label).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        // Bars stand on the axis: no margin below zero, room above the tallest for its label.
        plot.Axes.Margins(bottom: 0, top: 0.15);
        return new Chart(plot);
    }

    private static string Format(double value) => value switch
    {
        >= 100 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.##", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
