using Workshop.Toolkit.Charting;
using Workshop.Toolkit.Load;

namespace Workshop.Toolkit.Tests;

public sealed class ChartsTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("workshop-charts-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static ChartSeries[] TwoSeries() =>
    [
        new("Broken p99", [0, 1, 2, 3], [120, 900, 2400, 4100]),
        new("Fixed p99", [0, 1, 2, 3], [2, 2.5, double.NaN, 2.1]),
    ];

    [Fact]
    public void Line_SavedAsSvgAndPng_WritesValidFiles()
    {
        // Arrange
        var chart = Charts.Line("p99 latency", "seconds", "ms", TwoSeries());

        // Act
        var svg = chart.SaveSvg(Path.Combine(_dir.FullName, "nested", "line.svg"));
        var png = chart.SavePng(Path.Combine(_dir.FullName, "line.png"), 640, 360);

        // Assert
        var svgText = File.ReadAllText(svg);
        svgText.Should().Contain("<svg").And.Contain("p99 latency");
        File.ReadAllBytes(png).Take(PngSignature.Length).Should().Equal(PngSignature);
        new FileInfo(png).Length.Should().BeGreaterThan(1_000);
    }

    [Fact]
    public void Line_LogScaleWithZeroAndNaN_RendersWithoutThem()
    {
        // Arrange
        var series = new[] { new ChartSeries("p99", [0, 1, 2], [0, 10, 1000]) };

        // Act
        var chart = Charts.Line("log", "s", "ms", series, logY: true);
        var svg = chart.ToSvg();

        // Assert
        svg.Should().Contain("<svg").And.Contain("1,000");
        chart.Plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single().Data.GetScatterPoints()
            .Select(p => p.Y).Should().Equal(1, 3);
    }

    [Fact]
    public void Line_MismatchedSeries_Throws()
    {
        // Act
        var act = () => Charts.Line("t", "x", "y", [new ChartSeries("bad", [1, 2], [1])]);

        // Assert
        act.Should().Throw<ArgumentException>().WithMessage("*bad*");
    }

    [Fact]
    public void Bars_BrokenAgainstFixed_WritesPngAndLabelsBars()
    {
        // Arrange
        var chart = Charts.Bars("p99 at 100 req/s", "ms", [("Broken", 4210), ("Fixed", 3.2)]);

        // Act
        var png = chart.ToPng(400, 300);
        var svg = chart.ToSvg();

        // Assert
        png.Take(PngSignature.Length).Should().Equal(PngSignature);
        svg.Should().Contain("Broken").And.Contain("Fixed").And.Contain("4,210");
    }

    [Fact]
    public void FromTimeline_LoadResult_MapsSecondsToValues()
    {
        // Arrange
        var result = new LoadResult(2, 2, 0, 1, 1, 1, 1, 1, 1, 1, 1, new Dictionary<string, long>(), TimeSpan.FromSeconds(2),
            [new LoadTick(0, 1, 0, 5, 7), new LoadTick(1, 1, 0, 6, 8)]);

        // Act
        var series = ChartSeries.FromTimeline("p99", result, t => t.P99Ms);

        // Assert
        series.X.Should().Equal(0, 1);
        series.Y.Should().Equal(7, 8);
    }

    [Fact]
    public void Line_SamplesFurtherApartThanTheGap_BreaksTheLineThere()
    {
        // Arrange: samples every half second, then nothing for 4 s (a service that stopped answering /metrics).
        var series = new[] { new ChartSeries("Broken", [0, 0.5, 1, 5, 5.5], [10, 11, 12, 40, 41]) };

        // Act
        var chart = Charts.Line("heap", "s", "MB", series, maxGap: 1.5, fromZero: true);

        // Assert
        var lines = chart.Plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        lines.Should().HaveCount(2, "no line may be drawn across the 4 s without samples");
        lines.Select(l => l.Data.GetScatterPoints().Count).Should().Equal(3, 2);
        chart.Plot.Axes.GetLimits().Bottom.Should().Be(0, "a heap axis starts at zero");
    }

    [Fact]
    public void Line_BrokenAndFixed_AreVermillionAndBlue()
    {
        // Act
        var chart = Charts.Line("t", "x", "y", TwoSeries());

        // Assert
        var colours = chart.Plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Select(l => l.Color.ToHex()).Distinct().ToList();
        colours.Should().Equal(ChartColors.Broken, ChartColors.Fixed);
    }

    [Fact]
    public void Latency_TimedOutRequests_AreDrawnAsTheirOwnMarkers()
    {
        // Arrange
        RequestSample[] samples = [new(0, 5, "200"), new(0.5, 10_000, "timeout"), new(1, 10_000, "timeout"), new(1.5, 12_000, "unfinished")];

        // Act
        var chart = Charts.Latency("latency", "conditions", [("Broken", samples)]);
        var svg = chart.ToSvg();

        // Assert
        var markers = chart.Plot.GetPlottables().OfType<ScottPlot.Plottables.Markers>().ToList();
        markers.Select(m => m.LegendText).Should().BeEquivalentTo(
            ["Broken: client gave up (timeout) (2)", "Broken: still waiting at the end (1)", "Broken: answered (1)"]);
        svg.Should().Contain("conditions");
    }

    [Fact]
    public void Wrap_ALongSubtitle_BreaksAtSpacesWithinTheWidth()
    {
        // Arrange
        var subtitle = string.Join(' ', Enumerable.Repeat("twelve chars", 30));

        // Act
        var lines = Charts.Wrap(subtitle, Charts.SubtitleLineLength).Split('\n');

        // Assert
        lines.Should().HaveCountGreaterThan(1).And.OnlyContain(l => l.Length <= Charts.SubtitleLineLength, "a subtitle wider than the chart is cut off at its edges");
        string.Join(' ', lines).Should().Be(subtitle, "wrapping loses no word");
    }
}
