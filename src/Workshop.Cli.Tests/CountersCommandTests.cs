using System.Globalization;
using System.Text.RegularExpressions;
using Workshop.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Workshop.Cli.Tests;

/// <summary>`workshop counters`: a real lab service's runtime counters, read live through dotnet-counters.</summary>
public sealed partial class CountersCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly ScratchRepo _scratch = ScratchRepo.Empty();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Counters_Lab02BrokenForFiveSeconds_PrintsALineASecondAndWhatChanged()
    {
        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _scratch.State, ["counters", "02", "--seconds", "5"]);
        output.WriteLine(run.ToString());

        // Assert: one row a second of numbers, then the summary over them.
        run.ExitCode.Should().Be(0, run.ToString());
        var rows = run.Out.Split('\n').Where(l => SampleRow().IsMatch(l)).ToList();
        rows.Should().HaveCountGreaterThanOrEqualTo(3, "dotnet-counters publishes once a second for 5 s; stdout was:\n{0}", run.Out);
        rows.Select(r => double.Parse(SampleRow().Match(r).Groups["heap"].Value, NumberStyles.Float, CultureInfo.InvariantCulture))
            .Should().OnlyContain(heap => heap > 1, "a running ASP.NET Core service has more than 1 MB of GC heap");
        run.Out.Should().MatchRegex(@"Over \d+ s \(\d+ full rounds of the load\): GC heap [\d.,]+ MB -> [\d.,]+ MB");
    }

    [Theory]
    [InlineData("--variant must be broken or fixed, not 'both'", "counters", "02", "--variant", "both")]
    [InlineData("--seconds must be from 3 to 600, not 1", "counters", "02", "--seconds", "1")]
    [InlineData("No lab '99'", "counters", "99")]
    public async Task Counters_WithBadInput_FailsWithOneLineAndExitCodeTwo(string expected, params string[] args)
    {
        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _scratch.State, args);

        // Assert
        run.ExitCode.Should().Be(2, run.ToString());
        run.ErrLines.Should().ContainSingle().Which.Should().StartWith("error: ").And.Contain(expected);
        run.Out.Should().BeEmpty();
    }

    // "06:02:54      79.5      134.8          3            6      2       1          172.9"
    [GeneratedRegex(@"^\d\d:\d\d:\d\d\s+(?<heap>[\d,]+\.\d)\s+[\d,]+\.\d\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+[\d,]+\.\d\s*$")]
    private static partial Regex SampleRow();
}
