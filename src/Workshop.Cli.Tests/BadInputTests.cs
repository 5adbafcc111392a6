using Workshop.Cli.Tests.Support;

namespace Workshop.Cli.Tests;

/// <summary>Every verb rejects bad input before doing anything: one line on stderr, nothing on stdout, exit code 2.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly ScratchRepo _state = ScratchRepo.Empty();

    public void Dispose() => _state.Dispose();

    [Theory]
    [InlineData("Unknown command 'frobnicate'", "frobnicate")]
    [InlineData("Unknown option 'bogus'", "list", "--bogus")]
    [InlineData("missing required argument 'LAB'", "replay")]
    [InlineData("No lab '99'. Known labs: 01-logging-blocking", "replay", "99")]
    [InlineData("--scale must be a number from 0.05 to 20", "replay", "01", "--scale", "-1")]
    [InlineData("--scale must be a number from 0.05 to 20", "replay", "01", "--scale", "0")]
    [InlineData("not 'abc'", "replay", "01", "--scale", "abc")]
    [InlineData("--scale must be a number from 0.05 to 20", "replay", "all", "--scale", "-5")]
    [InlineData("missing required argument 'LAB'", "check")]
    [InlineData("No lab '99'", "check", "99")]
    [InlineData("Unknown option 'bogus'", "check", "01", "--bogus")]
    [InlineData("missing required argument 'LAB'", "hint")]
    [InlineData("No lab 'seven'", "hint", "seven")]
    [InlineData("No lab '99'", "diff", "99")]
    [InlineData("missing required argument 'LAB'", "diff")]
    [InlineData("Unknown command 'extra'", "doctor", "extra")]
    public async Task Verb_WithBadInput_FailsWithOneLineAndExitCodeTwo(string expected, params string[] args)
    {
        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _state.State, args);

        // Assert
        run.ExitCode.Should().Be(2, run.ToString());
        run.ErrLines.Should().ContainSingle().Which.Should().StartWith("error: ").And.Contain(expected);
        run.Out.Should().BeEmpty();
    }

    [Fact]
    public async Task Replay_LabWithoutAScenario_IsRejected()
    {
        // Arrange: a lab no scenario will ever be written for.
        _state.AddLab("42-imaginary-incident", new Dictionary<string, string> { ["README.md"] = "# Lab 42\n" });

        // Act
        var run = await WorkshopCli.RunAsync(_state.Root, _state.State, ["replay", "42"]);

        // Assert
        run.ExitCode.Should().Be(2);
        run.ErrLines.Should().ContainSingle().Which.Should().Contain("Lab 42-imaginary-incident has no replay yet");
    }
}
