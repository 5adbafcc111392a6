using Workshop.Cli.Check;

namespace Workshop.Cli.Tests;

public sealed class ChangeWatcherTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("workshop-watch-");

    public ChangeWatcherTests() => File.WriteAllText(Path.Combine(_dir.FullName, "Program.cs"), "// v1\n");

    public void Dispose() => _dir.Delete(recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WaitForChange_AfterASave_Completes(bool useFileEvents)
    {
        // Arrange: without file events only the poll can see the save.
        using var watcher = new ChangeWatcher(_dir.FullName, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), useFileEvents);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var change = watcher.WaitForChangeAsync(cts.Token);

        // Act
        File.WriteAllText(Path.Combine(_dir.FullName, "Program.cs"), "// v2, longer than v1\n");

        // Assert
        await change.Invoking(c => c).Should().CompleteWithinAsync(TimeSpan.FromSeconds(10));
        watcher.UsesFileEvents.Should().Be(useFileEvents);
    }

    [Fact]
    public async Task WaitForChange_BuildOutputWritten_IsNotAChange()
    {
        // Arrange
        using var watcher = new ChangeWatcher(_dir.FullName, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var change = watcher.WaitForChangeAsync(cts.Token);

        // Act: a build writes under bin/ and obj/; a second of polls must not take that for a save.
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "bin", "Debug"));
        File.WriteAllText(Path.Combine(_dir.FullName, "bin", "Debug", "Lab.dll"), "binary");
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "obj"));
        File.WriteAllText(Path.Combine(_dir.FullName, "obj", "project.assets.json"), "{}");
        var completedEarly = await Task.WhenAny(change, Task.Delay(TimeSpan.FromSeconds(1), cts.Token)) == change;
        File.WriteAllText(Path.Combine(_dir.FullName, "Added.cs"), "// a real save\n");

        // Assert
        completedEarly.Should().BeFalse("writes under bin/ and obj/ are the build's, not the learner's");
        await change.Invoking(c => c).Should().CompleteWithinAsync(TimeSpan.FromSeconds(10), "a source file was added");
    }

    [Fact]
    public async Task WaitForChange_Cancelled_Throws()
    {
        // Arrange
        using var watcher = new ChangeWatcher(_dir.FullName, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100));
        using var cts = new CancellationTokenSource();
        var change = watcher.WaitForChangeAsync(cts.Token);

        // Act
        await cts.CancelAsync();

        // Assert
        await change.Invoking(c => c).Should().ThrowAsync<OperationCanceledException>();
    }
}
