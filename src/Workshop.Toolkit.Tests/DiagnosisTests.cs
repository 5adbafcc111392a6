using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;
using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Repository;

namespace Workshop.Toolkit.Tests;

/// <summary>
/// The drift guard: each lab's report quotes figures that its diagnosis script measures, and the two must stay within
/// 3x, so a runtime upgrade or a change to a service cannot leave the report telling another story than the code.
/// </summary>
public sealed class DiagnosisTests(ITestOutputHelper output)
{
    private const double Tolerance = 3;

    public static TheoryData<string> LabIds() => new(Labs.All().Select(l => l.Id));

    // Its figures are counts, bytes and times far from any bound (3x, and the CPU-bound ones left out): test.sh runs it
    // beside the notebooks, after the tests that measure time have had the machine.
    [Theory]
    [Trait("Schedule", "Beside")]
    [MemberData(nameof(LabIds))]
    public async Task DiagnosisScript_RunFromTheRoot_MeasuresEveryFigureTheReportQuotesWithin3x(string lab)
    {
        // Arrange
        var info = Labs.Find(lab);
        var script = Path.Combine(info.Directory, "diagnose.cs");
        File.Exists(script).Should().BeTrue("every lab's report quotes a diagnosis script, and {0} has none", Path.GetRelativePath(Repo.Root, script));
        var quoted = ReportFigures.Parse(await File.ReadAllTextAsync(Path.Combine(info.Directory, "README.md")));
        quoted.Should().NotBeEmpty("the report of lab {0} should name the figures it quotes in <!-- figures: ... --> comments", info.Name);

        // Act: as the report tells the reader to run it.
        var run = await ProcessRunner.RunAsync(DotnetBuild.Host, ["run", Path.GetRelativePath(Repo.Root, script)], Repo.Root, timeout: TimeSpan.FromMinutes(6));
        output.WriteLine(run.StandardOutput);
        run.ExitCode.Should().Be(0, "the script should run to its end; it printed: {0}", string.Join('\n', run.Lines.Where(l => l.Length > 0).TakeLast(30)));
        var measured = ReadFigures(Path.Combine(Repo.Root, "artifacts", "diagnosis", info.Id, Diagnosis.FiguresFile));

        // Assert
        var drifted = quoted
            .Select(q => (q, value: measured.TryGetValue(q.Name, out var v) ? v : (double?)null))
            .Where(x => x.value is not { } v || Ratio(x.q.Value, v) > Tolerance)
            .Select(x => x.value is { } v
                ? string.Create(CultureInfo.InvariantCulture, $"{x.q.Name} quoted {x.q.Shown}, measured {v:#,0.###}")
                : $"{x.q.Name} quoted {x.q.Shown}, not measured")
            .ToList();
        drifted.Should().BeEmpty("{0} of the {1} figures lab {2}'s report quotes are more than {3}x off what diagnose.cs measured ({4})",
            drifted.Count, quoted.Count, info.Name, Tolerance, string.Join("; ", drifted));
    }

    [Theory]
    [MemberData(nameof(LabIds))]
    public async Task ChineseReport_EveryFigureItsCommentsName_IsShownInItsText(string lab)
    {
        // Arrange: TranslationTests hold the Chinese figures comments equal to the English ones, which the drift guard
        // re-measures; this holds each figure to the Chinese text its reader sees.
        var info = Labs.Find(lab);
        var markdown = await File.ReadAllTextAsync(Path.Combine(info.Directory, "README.zh-CN.md"));

        // Act: Parse rejects a figure its comment names but the text before it does not show.
        var parse = () => ReportFigures.Parse(markdown);

        // Assert
        parse.Should().NotThrow("lab {0}'s Chinese report shows every figure its comments name", info.Name);
    }

    [Fact]
    public void ReportFigures_CommentAfterItsBlock_ReadsNameTextAndValue()
    {
        // Arrange
        const string markdown = "```\ncallbacks 10,402\nheap 699.3 MB\n```\n<!-- figures: callbacks=10,402 heap_mb=699.3 -->\n";

        // Act
        var figures = ReportFigures.Parse(markdown);

        // Assert
        figures.Should().Equal(new ReportFigure("callbacks", "10,402", 10_402), new ReportFigure("heap_mb", "699.3", 699.3));
    }

    [Fact]
    public void ReportFigures_ValueTheReaderCannotSee_IsRejected()
    {
        // Arrange: the comment says 700, the block the reader sees says 699.
        const string markdown = "```\nheap 699 MB\n```\n<!-- figures: heap_mb=700 -->\n";

        // Act
        var parse = () => ReportFigures.Parse(markdown);

        // Assert
        parse.Should().Throw<FormatException>().WithMessage("*heap_mb=700 does not appear*");
    }

    [Fact]
    public void ReportFigures_ValueShownOnlyBeforeAnEarlierComment_IsRejected()
    {
        // Arrange: 402 is shown, but before the first comment, so the second one cannot claim it.
        const string markdown = "warm 402\n<!-- figures: warm=402 -->\nloaded 10,402\n<!-- figures: loaded=10,402 again=402 -->\n";

        // Act
        var figures = () => ReportFigures.Parse(markdown);

        // Assert: "402" is inside "10,402", so the second comment is valid; a value absent from its own stretch is not.
        figures.Should().NotThrow();
        var parse = () => ReportFigures.Parse("warm 402\n<!-- figures: warm=402 -->\nloaded 9\n<!-- figures: again=402 -->\n");
        parse.Should().Throw<FormatException>().WithMessage("*again=402*");
    }

    private static double Ratio(double a, double b) => a == b ? 1 : a <= 0 || b <= 0 ? double.PositiveInfinity : Math.Max(a / b, b / a);

    private static Dictionary<string, double> ReadFigures(string path)
    {
        File.Exists(path).Should().BeTrue("the script should write its figures to {0}", path);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal);
    }
}
