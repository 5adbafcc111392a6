using System.Text.Json.Nodes;
using Workshop.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Workshop.Cli.Tests;

/// <summary>
/// `check 01` for real: `dotnet test` of the lab's spec with LAB_TARGET=broken. Red on the untouched Broken
/// service; green on a scratch copy of the repository whose Broken folder holds the reference fix.
/// </summary>
public sealed class CheckLab01Tests(ITestOutputHelper output) : IDisposable
{
    private readonly ScratchRepo _state = ScratchRepo.Empty();

    public void Dispose() => _state.Dispose();

    // Broken is red however busy the machine (its symptoms are the code's, not the clock's), and the first check's
    // build is most of this test's time: test.sh runs it beside, leaving the machine to the tests that measure time.
    [Fact]
    [Trait("Schedule", "Beside")]
    public async Task Check_UntouchedLab01Broken_IsRedWithTheIncidentInNumbers()
    {
        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _state.State, ["check", "01"]);
        output.WriteLine(run.ToString());

        // Assert
        run.ExitCode.Should().Be(1);
        run.Out.Should().Contain("✘ fail").And.Contain("RequestLogSpec.Requests_WhileTheLogDiskStalls_DoNotWaitForIt")
            .And.Contain("with the log disk stalled at 100 ms").And.Contain("RED:").And.Contain("Hint 1 of 4");
        var check = JsonNode.Parse(File.ReadAllText(Path.Combine(_state.State, "status.json")))!["labs"]!["01-logging-blocking"]!["check"]!;
        check["result"]!.GetValue<string>().Should().Be("red");
        check["failed"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(5);
    }

    [Fact]
    public async Task Check_Lab01BrokenWithTheReferenceFixApplied_IsGreen()
    {
        // Arrange: a scratch copy of the repository (build files, shared projects, lab 01), its Broken replaced by Fixed.
        using var scratch = ScratchRepo.CopyOfReal("01-logging-blocking");
        scratch.ApplyReferenceFix("01");
        var brokenProgram = await File.ReadAllTextAsync(Path.Combine(scratch.Root, "labs/01-logging-blocking/Broken/Program.cs"));
        File.Exists(Path.Combine(scratch.Root, "labs/01-logging-blocking/Broken/Lab01.Broken.csproj")).Should().BeTrue();
        (await File.ReadAllTextAsync(Path.Combine(scratch.Root, "labs/01-logging-blocking/Broken/Marker.cs"))).Should().Contain("namespace Lab01.Broken;");

        // Act
        var run = await WorkshopCli.RunAsync(scratch.Root, scratch.State, ["check", "01"]);
        output.WriteLine(run.ToString());

        // Assert
        brokenProgram.Should().Contain("builder.AddRequestLog();", "the fix was applied to Broken");
        run.ExitCode.Should().Be(0);
        run.Out.Should().Contain("GREEN: all").And.NotContain("✘ fail");
        var check = JsonNode.Parse(File.ReadAllText(Path.Combine(scratch.State, "status.json")))!["labs"]!["01-logging-blocking"]!["check"]!;
        check["result"]!.GetValue<string>().Should().Be("green");
        check["failed"]!.GetValue<int>().Should().Be(0);
        check["passed"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(8);
    }
}
