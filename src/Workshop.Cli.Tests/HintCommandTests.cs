using System.Text.Json.Nodes;
using Workshop.Cli.Hints;
using Workshop.Cli.Tests.Support;

namespace Workshop.Cli.Tests;

public sealed class HintCommandTests : IDisposable
{
    private const string Hints = """
        # Lab 07 hints

        One at a time.

        ## Hint 1

        A nudge: look at `Timeout`.

        ## Hint 2

        Closer: the retry policy.

        ## Hint 3

        The exact lines: `AddResilienceHandler(...)`.
        """;

    private readonly ScratchRepo _repo = ScratchRepo.Empty();

    public HintCommandTests() => _repo.AddShellLab("07-circuit-breaker", Hints);

    public void Dispose() => _repo.Dispose();

    private Task<CliRun> Hint(params string[] extra) => WorkshopCli.RunAsync(_repo.Root, _repo.State, ["hint", "07", .. extra]);

    private int HintsShown() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(_repo.State, "status.json")))!["labs"]!["07-circuit-breaker"]!["hints_shown"]!.GetValue<int>();

    [Fact]
    public async Task Hint_FirstTime_ShowsTheNudgeAndRemembersIt()
    {
        // Act
        var run = await Hint();

        // Assert
        run.ExitCode.Should().Be(0, run.ToString());
        run.Out.Should().Contain("Hint 1 of 3").And.Contain("A nudge: look at Timeout.").And.NotContain("Closer");
        HintsShown().Should().Be(1);
    }

    [Fact]
    public async Task Hint_CalledAgain_EscalatesToTheNextHint()
    {
        // Arrange
        await Hint();

        // Act
        var run = await Hint();

        // Assert
        run.Out.Should().Contain("Hint 2 of 3").And.Contain("Closer: the retry policy.").And.NotContain("A nudge");
        HintsShown().Should().Be(2);
    }

    [Fact]
    public async Task Hint_AfterTheLastOne_SaysSoAndShowsTheLastAgain()
    {
        // Arrange
        for (var i = 0; i < 3; i++) await Hint();

        // Act
        var run = await Hint();

        // Assert
        run.ExitCode.Should().Be(0);
        run.Out.Should().Contain("That was the last hint (3 of 3)").And.Contain("Hint 3 of 3").And.Contain("AddResilienceHandler(...)");
        HintsShown().Should().Be(3);
    }

    [Fact]
    public async Task Hint_WithReset_StartsOverAtTheFirst()
    {
        // Arrange
        for (var i = 0; i < 3; i++) await Hint();

        // Act
        var run = await Hint("--reset");

        // Assert
        run.Out.Should().Contain("Hint 1 of 3").And.Contain("A nudge");
        run.Err.Should().Contain("start over");
        HintsShown().Should().Be(1);
    }

    [Fact]
    public async Task Hint_LabWithoutHintsFile_FailsWithOneLine()
    {
        // Arrange
        _repo.AddShellLab("03-cache-no-ttl");

        // Act
        var run = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["hint", "03"]);

        // Assert
        run.ExitCode.Should().Be(1);
        run.ErrLines.Should().ContainSingle().Which.Should().Contain("hints.md");
    }

    [Fact]
    public void HintBook_Parse_TakesTheHintSectionsInOrderAndNothingElse()
    {
        // Act
        var hints = HintBook.Parse(Hints + "\n\n## Further reading\n\nNot a hint.\n");

        // Assert
        hints.Select(h => h.Number).Should().Equal(1, 2, 3);
        hints[0].Text.Should().Be("A nudge: look at `Timeout`.");
        hints[2].Text.Should().NotContain("Further reading").And.NotContain("Not a hint");
    }

    [Fact]
    public void HintBook_Lab01_HasFourEscalatingHints()
    {
        // Act
        var hints = HintBook.Read(Workshop.Toolkit.Repository.Labs.Find(Workshop.Toolkit.Repository.Labs.All(ScratchRepo.RealRoot), "01"));

        // Assert
        hints.Should().HaveCount(4);
        hints[^1].Text.Should().Contain("Fixed/RequestLog.cs", "the last hint names the exact lines");
    }
}
