using Workshop.Cli.Doctor;
using Workshop.Cli.Tests.Support;

namespace Workshop.Cli.Tests;

public sealed class DoctorCommandTests : IDisposable
{
    private readonly ScratchRepo _repo = ScratchRepo.Empty();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Doctor_OnThisRepository_PassesEveryRequiredCheck()
    {
        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _repo.State, ["doctor"]);

        // Assert
        run.ExitCode.Should().Be(0, run.ToString());
        run.Out.Should().Contain(".NET SDK").And.Contain("global.json asks").And.Contain("Loopback ports").And.Contain("Ready.");
    }

    [Fact]
    public async Task Doctor_WithAnSdkNobodyHasPinned_FailsAndSaysHowToFixIt()
    {
        // Arrange
        File.WriteAllText(Path.Combine(_repo.Root, "global.json"), """{ "sdk": { "version": "99.0.100", "rollForward": "disable" } }""");

        // Act
        var run = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["doctor"]);

        // Assert
        run.ExitCode.Should().Be(1, run.ToString());
        run.Out.Should().Contain("FAILED").And.Contain("global.json asks 99.0.100").And.Contain("Install the .NET SDK 99.0.100")
            .And.Contain("1 required check(s) failed: .NET SDK");
    }

    [Fact]
    public async Task LocalTools_ToolMissingFromThePackageFolder_AreReportedWithTheRestoreCommand()
    {
        // Arrange: a manifest naming a version no one has restored.
        File.WriteAllText(Path.Combine(_repo.Root, "dotnet-tools.json"),
            """{ "version": 1, "isRoot": true, "tools": { "dotnet-counters": { "version": "0.0.1-never", "commands": ["dotnet-counters"] } } }""");

        // Act
        var finding = await DoctorChecks.LocalToolsAsync(_repo.Root, CancellationToken.None);

        // Assert
        finding.Verdict.Should().Be(Verdict.Failed);
        finding.Required.Should().BeTrue("the labs' heap and thread steps need the tools");
        finding.Detail.Should().Contain("dotnet-counters 0.0.1-never");
        finding.Fix.Should().Be("dotnet tool restore");
    }

    [Fact]
    public async Task Doctor_WithLocalToolsNotRestored_ExitsOneAndDoesNotSayReady()
    {
        // Arrange: the real SDK pin, and a tool manifest nobody restored.
        File.Copy(Path.Combine(ScratchRepo.RealRoot, "global.json"), Path.Combine(_repo.Root, "global.json"), overwrite: true);
        File.WriteAllText(Path.Combine(_repo.Root, "dotnet-tools.json"),
            """{ "version": 1, "isRoot": true, "tools": { "dotnet-counters": { "version": "0.0.1-never", "commands": ["dotnet-counters"] } } }""");

        // Act
        var run = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["doctor"]);

        // Assert
        run.ExitCode.Should().Be(1, run.ToString());
        run.Out.Should().Contain("required check(s) failed: Local tools").And.NotContain("Ready.");
    }

    [Fact]
    public async Task LocalTools_RestoredWhereverNuGetPutThem_AreFound()
    {
        // Arrange: the tools this repository's manifest pins, restored (the suite runs them), in whatever package folder
        // NuGet chose: the check asks the SDK to run them rather than guess the folder.
        var counters = await Workshop.Toolkit.Processes.ProcessRunner.RunAsync("dotnet", ["counters", "--version"], ScratchRepo.RealRoot);

        // Act
        var finding = await DoctorChecks.LocalToolsAsync(ScratchRepo.RealRoot, CancellationToken.None);

        // Assert
        counters.ExitCode.Should().Be(0, "dotnet tool restore ran before the tests: {0}", string.Join('\n', counters.Lines));
        finding.Verdict.Should().Be(Verdict.Ok, finding.Detail);
    }

    [Fact]
    public void LoadTool_NotOnPath_IsOptionalWithItsInstallCommand()
    {
        // Act
        var finding = DoctorChecks.LoadTool("no-such-load-tool-xyz", "apt-get install xyz");

        // Assert
        finding.Required.Should().BeFalse();
        finding.Verdict.Should().Be(Verdict.Warning);
        finding.Fix.Should().Be("apt-get install xyz");
    }
}
