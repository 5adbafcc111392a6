using System.Text.Json.Nodes;
using Workshop.Cli.Check;
using Workshop.Cli.Tests.Support;

namespace Workshop.Cli.Tests;

/// <summary>`check` with a fake spec runner: what it shows and records for each kind of run, and its watch loop.</summary>
public sealed class CheckCommandTests : IDisposable
{
    private readonly ScratchRepo _repo = ScratchRepo.Empty();
    private readonly string _lab;

    public CheckCommandTests() =>
        _lab = _repo.AddShellLab("01-logging-blocking", "## Hint 1\n\nThe lock is not the only problem.\n\n## Hint 2\n\nBounded.\n");

    public void Dispose() => _repo.Dispose();

    private JsonNode Status() => JsonNode.Parse(File.ReadAllText(Path.Combine(_repo.State, "status.json")))!["labs"]!["01-logging-blocking"]!;

    [Fact]
    public async Task Check_RedSpec_ShowsEachTestWithItsMessageAndTheFirstHint()
    {
        // Act
        var run = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["check", "01"], new FakeSpecRunner(FakeSpecRunner.Red));

        // Assert
        run.ExitCode.Should().Be(1, run.ToString());
        run.Out.Should().Contain("✘ fail").And.Contain("RequestLogSpec.Requests_WhileTheLogDiskStalls_DoNotWaitForIt")
            .And.Contain("it was 2,313 ms with the log disk stalled at 100 ms").And.Contain("✔ pass")
            .And.Contain("RED: 1 of 2 tests fail").And.Contain("Hint 1 of 2").And.Contain("The lock is not the only problem.");
        run.Out.Should().NotContain("[broken]", "every test of a check runs against Broken, so the suffix is noise");
    }

    [Fact]
    public async Task Check_RedSpec_RecordsTheVerdictForList()
    {
        // Act
        await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["check", "01"], new FakeSpecRunner(FakeSpecRunner.Red));

        // Assert
        var check = Status()["check"]!;
        check["result"]!.GetValue<string>().Should().Be("red");
        check["passed"]!.GetValue<int>().Should().Be(1);
        check["failed"]!.GetValue<int>().Should().Be(1);
        check["total"]!.GetValue<int>().Should().Be(2);
        check["broken_fingerprint"]!.GetValue<string>().Should().HaveLength(64);
        Status()["hints_shown"]!.GetValue<int>().Should().Be(1, "the first hint was shown with the red result");
    }

    [Fact]
    public async Task Check_GreenSpec_ExitsZeroAndPointsAtTheReferenceFix()
    {
        // Act
        var run = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["check", "01"], new FakeSpecRunner(FakeSpecRunner.Green));

        // Assert
        run.ExitCode.Should().Be(0, run.ToString());
        run.Out.Should().Contain("GREEN: all 2 tests pass").And.Contain("./workshop diff 01").And.NotContain("Hint 1");
        Status()["check"]!["result"]!.GetValue<string>().Should().Be("green");
    }

    [Fact]
    public async Task Check_SpecThatDoesNotBuild_IsRedWithTheCompilerErrors()
    {
        // Arrange
        var broken = new SpecRun([], TimeSpan.FromSeconds(4),
            "the spec did not build:\nBroken/RequestLoggingMiddleware.cs(12,5): error CS1002: ; expected");

        // Act
        var run = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["check", "01"], new FakeSpecRunner(broken));

        // Assert
        run.ExitCode.Should().Be(1);
        run.Out.Should().Contain("RED: the spec did not build").And.Contain("error CS1002: ; expected");
        Status()["check"]!["note"]!.GetValue<string>().Should().Be("the spec did not build:");
    }

    [Fact]
    public async Task Check_WithWatch_RunsAgainOnEverySaveUntilCancelled()
    {
        // Arrange
        var runner = new FakeSpecRunner(FakeSpecRunner.Red);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var timing = new WatchTiming(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        var watch = WorkshopCli.RunAsync(_repo.Root, _repo.State, ["check", "01", "--watch"], runner, timing, cts.Token);
        await runner.WaitForRunAsync(1, TimeSpan.FromSeconds(20));

        // Act
        File.WriteAllText(Path.Combine(_lab, "Broken", "Program.cs"), "// the learner saved a change\n");
        await runner.WaitForRunAsync(2, TimeSpan.FromSeconds(20));
        await cts.CancelAsync();
        var run = await watch;

        // Assert
        runner.Count.Should().Be(2);
        run.ExitCode.Should().Be(1, "Ctrl+C ends a watch with the last check's answer, red here");
        run.Out.Should().Contain("checking again");
        run.Err.Should().Contain("Watching labs/01-logging-blocking/Broken");
    }
}
