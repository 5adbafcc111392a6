using Workshop.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Workshop.Cli.Tests;

/// <summary>`workshop heapdiff`: the leak hunt on a real lab service, and its refusals.</summary>
// Object counts in a service's heap, which CPU load does not move: test.sh runs these beside, not with the tests that measure time.
[Trait("Schedule", "Beside")]
public sealed class HeapDiffCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly ScratchRepo _scratch = ScratchRepo.Empty();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task HeapDiff_Lab02Broken_ListsTheReportBufferAndTheClosureThatHoldsItAsGrowingWithTraffic()
    {
        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _scratch.State, ["heapdiff", "02", "--requests", "300"]);
        output.WriteLine(run.ToString());

        // Assert: both the 128 KB buffer and the compiler's closure class gained one live object a request. Byte arrays
        // also come and go with the connections still open when the second snapshot is taken (a busy machine showed
        // 1.47 a request), so the buffer's row needs at least one a request, held by the closure.
        run.ExitCode.Should().Be(0, run.ToString());
        var growing = run.Out[run.Out.IndexOf("grew with traffic", StringComparison.Ordinal)..];
        growing.Should().MatchRegex(@"\+[3-9]\d\d\s+[1-9]\.\d\d\s+System\.Byte\[\]\s+<- ReportEndpoints\+<>c__DisplayClass",
            "the report buffer grows by at least one a request and the closure holds it");
        growing.Should().MatchRegex(@"\+3\d\d\s+1\.00\s+closure of ReportEndpoints\.Get capturing \{[^}]*report[^}]*\}",
            "the closure that captured the report grows by one a request");
    }

    [Fact]
    public async Task HeapDiff_Lab02Fixed_FindsNothingGrowingWithTraffic()
    {
        // Act: more requests than the Broken hunt sends, so that nothing a process builds once (a busy CI machine once
        // caught 457 strings of the runtime's own in the window) can pass for one object a request.
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _scratch.State, ["heapdiff", "02", "--variant", "fixed", "--requests", "1000"]);
        output.WriteLine(run.ToString());

        // Assert
        run.ExitCode.Should().Be(0, run.ToString());
        run.Out.Should().Contain("1,000 requests answered").And.Contain("Nothing grew with traffic")
            .And.NotContain("types grew with traffic", "the fix leaves no type a live object per request");
    }

    [Theory]
    [InlineData("--variant must be broken or fixed, not 'naive'", "heapdiff", "02", "--variant", "naive")]
    [InlineData("--requests must be a whole number from 10 to 1,000,000, not '5'", "heapdiff", "02", "--requests", "5")]
    [InlineData("--requests must be a whole number from 10 to 1,000,000, not 'many'", "heapdiff", "02", "--requests", "many")]
    [InlineData("runs for a time, not a count of requests", "heapdiff", "01", "--requests", "100")]
    [InlineData("No lab '99'", "heapdiff", "99")]
    public async Task HeapDiff_WithBadInput_FailsWithOneLineAndExitCodeTwo(string expected, params string[] args)
    {
        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _scratch.State, args);

        // Assert
        run.ExitCode.Should().Be(2, run.ToString());
        run.ErrLines.Should().ContainSingle(l => l.StartsWith("error: ", StringComparison.Ordinal)).Which.Should().Contain(expected);
        run.Out.Should().BeEmpty();
    }
}
