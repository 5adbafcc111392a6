using Workshop.Cli.Diff;
using Workshop.Cli.Tests.Support;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Repository;

namespace Workshop.Cli.Tests;

public sealed class DiffCommandTests : IDisposable
{
    private readonly ScratchRepo _state = ScratchRepo.Empty();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Diff_Lab01_ShowsTheFixAndNotTheNames()
    {
        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _state.State, ["diff", "01"]);

        // Assert
        run.ExitCode.Should().Be(0, run.ToString());
        run.Out.Should().Contain("+++ labs/01-logging-blocking/Fixed/RequestLoggingMiddleware.cs")
            .And.Contain("+builder.AddRequestLog();")
            .And.Contain("-        lock (WriteLock)")
            .And.Contain("--- /dev/null\n+++ labs/01-logging-blocking/Fixed/RequestLog.cs\n@@ -0,0 +1,", "a file only Fixed has is shown as added");
        run.Out.Should().NotContain("Marker.cs", "the marker differs only by its namespace, which is normalised")
            .And.NotContain("-namespace Lab01.Broken")
            .And.NotContain("/bin/").And.NotContain("/obj/");
        run.Err.Should().Contain("Lab01.Fixed shown as Lab01.Broken");
    }

    [Fact]
    public async Task Diff_AfterTheLearnerEditedBroken_StillShowsTheWholeFixAndMineShowsTheEdit()
    {
        // Arrange: a git copy of lab 01, then a learner's edit of Broken's middleware.
        using var scratch = ScratchRepo.CopyOfReal("01-logging-blocking");
        await GitAsync(scratch.Root, "init", "-q");
        await GitAsync(scratch.Root, "add", "-A");
        await GitAsync(scratch.Root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "start");
        var middleware = Path.Combine(scratch.Root, "labs", "01-logging-blocking", "Broken", "RequestLoggingMiddleware.cs");
        File.WriteAllText(middleware, File.ReadAllText(middleware).Replace("        lock (WriteLock)", "        // my attempt\n        lock (WriteLock)", StringComparison.Ordinal));

        // Act
        var reference = await WorkshopCli.RunAsync(scratch.Root, _state.State, ["diff", "01"]);
        var mine = await WorkshopCli.RunAsync(scratch.Root, _state.State, ["diff", "01", "--mine"]);

        // Assert
        reference.Out.Should().Contain("-        lock (WriteLock)", "the reference fix is shown against Broken as committed, not against the learner's copy")
            .And.NotContain("my attempt");
        mine.ExitCode.Should().Be(0, mine.ToString());
        mine.Out.Should().Contain("+        // my attempt").And.NotContain("AddRequestLog", "--mine shows the learner's change alone");
        mine.Err.Should().Contain("Your change to Broken/ since HEAD: 1 file(s) changed, 1 insertion(s)(+)");
    }

    private static async Task GitAsync(string root, params string[] args)
    {
        var result = await Workshop.Toolkit.Processes.ProcessRunner.RunAsync("git", args, root);
        result.ExitCode.Should().Be(0, "git {0}: {1}", string.Join(' ', args), result.StandardError);
    }

    [Fact]
    public async Task Diff_LongLines_AreNeverWrapped()
    {
        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _state.State, ["diff", "01"]);

        // Assert: the Fixed middleware's class declaration is one line of about 200 characters.
        run.Out.Split('\n').Should().Contain(l => l.StartsWith("+public sealed partial class RequestLoggingMiddleware(", StringComparison.Ordinal)
                                                  && l.EndsWith("owns the disk", StringComparison.Ordinal));
    }

    [Fact]
    public void VariantDiff_PairsTheProjectFilesAcrossTheirNames()
    {
        // Act
        var pairs = VariantDiff.Pair(Labs.Find(Labs.All(ScratchRepo.RealRoot), "01"));

        // Assert
        var project = pairs.Should().ContainSingle(p => p.Key == "Lab01.Broken.csproj").Subject;
        project.FromFile.Should().EndWith("Broken/Lab01.Broken.csproj");
        project.ToFile.Should().EndWith("Fixed/Lab01.Fixed.csproj");
        pairs.Should().NotContain(p => p.Key.StartsWith("bin/", StringComparison.Ordinal) || p.Key.StartsWith("obj/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("namespace Lab01.Fixed;", "namespace Lab01.Broken;")]
    [InlineData("typeof(Lab01.Fixed.Marker)", "typeof(Lab01.Broken.Marker)")]
    [InlineData("Lab01.FixedUp and MyLab01.Fixed", "Lab01.FixedUp and MyLab01.Fixed")]
    public void VariantDiff_Normalise_RewritesWholeNamesOnly(string text, string expected)
    {
        // Act
        var normalised = VariantDiff.Normalise(text, "Lab01.Fixed", "Lab01.Broken");

        // Assert
        normalised.Should().Be(expected);
    }
}
