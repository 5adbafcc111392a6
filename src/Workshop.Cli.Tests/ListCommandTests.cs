using Workshop.Cli.Infrastructure;
using Workshop.Cli.Tests.Support;

namespace Workshop.Cli.Tests;

public sealed class ListCommandTests : IDisposable
{
    private readonly ScratchRepo _repo = ScratchRepo.Empty();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task List_EveryLab_ShowsTitleSymptomAndLastCheck()
    {
        // Arrange: lab 01 has a report and a replay folder; lab 42 only a report.
        var lab01 = _repo.AddShellLab("01-logging-blocking", "## Hint 1\n\nA nudge.\n\n## Hint 2\n\nMore.\n");
        ScratchRepo.Write(Path.Combine(lab01, "README.md"),
            "# Lab 01: The request log that stopped the service\n\n## Summary\n\nA slow log disk stalls every request. More.\n");
        ScratchRepo.Write(Path.Combine(lab01, "Replay", "Lab01.Replay.csproj"), "<Project />");
        _repo.AddLab("42-imaginary-incident", new Dictionary<string, string>
        {
            ["README.md"] = "# Lab 42: the callbacks that kept every buffer\n\n## Summary\n\nEach request registered a callback. Then more.\n",
        });
        new StatusStore(Path.Combine(_repo.State, "status.json")).Update("01-logging-blocking", s =>
        {
            s.Check = new CheckRecord { Result = "red", Passed = 2, Failed = 6, Total = 8, At = DateTimeOffset.Now };
            s.HintsShown = 1;
        });

        // Act
        var run = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["list"]);

        // Assert
        run.ExitCode.Should().Be(0, run.ToString());
        run.Out.Should().Contain("The request log that stopped the service").And.Contain("A slow log disk stalls every request")
            .And.Contain("red: 6 of 8 fail").And.Contain("1 of 2 shown").And.Contain("./workshop replay 01");
        run.Out.Should().Contain("The callbacks that kept every buffer").And.Contain("Each request registered a callback.")
            .And.NotContain("Then more").And.Contain("not checked yet").And.Contain("none yet");
    }

    [Fact]
    public async Task List_AfterBrokenChanged_SaysToCheckAgain()
    {
        // Arrange
        var lab = _repo.AddShellLab("01-logging-blocking");
        var broken = Path.Combine(lab, "Broken");
        new StatusStore(Path.Combine(_repo.State, "status.json")).Update("01-logging-blocking", s => s.Check = new CheckRecord
        {
            Result = "green", Passed = 8, Total = 8, At = DateTimeOffset.Now, BrokenFingerprint = SourceFingerprint.Of(broken),
        });
        File.AppendAllText(Path.Combine(broken, "Program.cs"), "// edited after the check\n");

        // Act
        var run = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["list"]);

        // Assert
        run.Out.Should().Contain("green: 8 of 8 pass").And.Contain("changed since: check again");
    }
}
