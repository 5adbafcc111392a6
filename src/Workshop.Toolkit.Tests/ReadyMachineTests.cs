using System.Text.Json;
using Workshop.Toolkit.Replay;
using Workshop.Toolkit.Repository;

namespace Workshop.Toolkit.Tests;

/// <summary>
/// The ready machine (<c>.devcontainer/</c>, <c>.vscode/</c>) stays in step with what it sets up: the SDK of global.json,
/// tools/setup.sh (which the tests run first, so it is proven on every CI run), the live page's port, and every lab.
/// </summary>
public sealed class ReadyMachineTests
{
    private static readonly JsonDocumentOptions Jsonc = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    [Fact]
    public void Devcontainer_SdkAndSetup_AreGlobalJsonsAndTheScriptTheTestsRun()
    {
        // Arrange
        using var container = Read(".devcontainer", "devcontainer.json");
        using var global = Read("global.json");
        var testScript = File.ReadAllText(Path.Combine(Repo.Root, "test.sh"));

        // Act
        var sdk = container.RootElement.GetProperty("features").EnumerateObject().Single(f => f.Name.Contains("/dotnet:", StringComparison.Ordinal)).Value.GetProperty("version").GetString();
        var setup = container.RootElement.GetProperty("postCreateCommand").GetString();
        var ports = container.RootElement.GetProperty("forwardPorts").EnumerateArray().Select(p => p.GetInt32()).ToList();

        // Assert
        sdk.Should().Be(global.RootElement.GetProperty("sdk").GetProperty("version").GetString(), "the devcontainer installs the SDK global.json pins");
        setup.Should().Be("tools/setup.sh", "the devcontainer is set up by the script the README names and the tests run");
        testScript.Should().Contain("tools/setup.sh", "test.sh (and so CI) runs the set-up script, so it cannot rot unseen");
        File.Exists(Path.Combine(Repo.Root, "tools", "setup.sh")).Should().BeTrue();
        ports.Should().Contain(5080, "the live page's port, which the tasks pass as --live-port");
    }

    [Fact]
    public async Task VsCodeTasks_LabPickers_OfferEveryLabAndEveryLiveMode()
    {
        // Arrange
        using var tasks = Read(".vscode", "tasks.json");
        var inputs = tasks.RootElement.GetProperty("inputs").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!,
            i => i.GetProperty("options").EnumerateArray().Select(o => o.GetString()!).ToList());

        // Act
        var replayable = Scenarios.Replayable().Select(l => l.Id).ToList();
        var live = await LiveSession.LabsWithLiveModeAsync(CancellationToken.None);

        // Assert
        inputs["lab"].Should().Equal(replayable, "the tasks offer every lab with a replay");
        inputs["liveLab"].Should().Equal(live, "the live task offers every lab with a live mode");
        tasks.RootElement.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("command").GetString()!)
            .Where(c => c.Contains("--live", StringComparison.Ordinal)).Should().OnlyContain(c => c.Contains("--live-port 5080", StringComparison.Ordinal));
    }

    private static JsonDocument Read(params string[] path) => JsonDocument.Parse(File.ReadAllText(Path.Combine([Repo.Root, .. path])), Jsonc);
}
