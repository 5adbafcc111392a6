using Workshop.Cli.Check;
using Workshop.Cli.Tests.Support;
using Workshop.Toolkit.Repository;

namespace Workshop.Cli.Tests;

/// <summary>`check` restores only when something a restore reads changed since the last one it ran.</summary>
public sealed class RestoreStampTests : IDisposable
{
    private readonly ScratchRepo _repo = ScratchRepo.Empty();
    private readonly LabInfo _lab;

    public RestoreStampTests()
    {
        _repo.AddShellLab("01-logging-blocking");
        _lab = Labs.All(_repo.Root).Single();
        foreach (var variant in _lab.Variants()) ScratchRepo.Write(Path.Combine(_lab.Directory, variant, "obj", "project.assets.json"), "{}");
    }

    public void Dispose() => _repo.Dispose();

    private string Stamp => Path.Combine(_lab.Directory, "Tests", "obj", "workshop-check.restored");

    [Fact]
    public void NeedsRestore_NoStampYet_IsTrue() =>
        DotnetSpecRunner.NeedsRestore(_repo.Root, _lab).Should().BeTrue("check has never restored this lab");

    [Fact]
    public void NeedsRestore_StampNewerThanEveryProjectFile_IsFalse()
    {
        // Arrange
        WriteStamp(DateTime.UtcNow.AddMinutes(1));

        // Act
        var needed = DotnetSpecRunner.NeedsRestore(_repo.Root, _lab);

        // Assert
        needed.Should().BeFalse("nothing a restore reads changed since the stamp");
    }

    [Fact]
    public void NeedsRestore_ProjectFileEditedAfterTheStamp_IsTrue()
    {
        // Arrange: the learner adds a package to Broken after the last restore.
        WriteStamp(DateTime.UtcNow.AddMinutes(-5));
        File.SetLastWriteTimeUtc(_lab.ProjectFile("Broken"), DateTime.UtcNow);

        // Act
        var needed = DotnetSpecRunner.NeedsRestore(_repo.Root, _lab);

        // Assert
        needed.Should().BeTrue("Broken's project file is newer than the last restore");
    }

    [Fact]
    public void NeedsRestore_AProjectNeverRestored_IsTrue()
    {
        // Arrange
        WriteStamp(DateTime.UtcNow.AddMinutes(1));
        File.Delete(Path.Combine(_lab.Directory, "Fixed", "obj", "project.assets.json"));

        // Act
        var needed = DotnetSpecRunner.NeedsRestore(_repo.Root, _lab);

        // Assert
        needed.Should().BeTrue("Fixed has no assets file");
    }

    private void WriteStamp(DateTime at)
    {
        ScratchRepo.Write(Stamp, "restored");
        File.SetLastWriteTimeUtc(Stamp, at);
    }
}
