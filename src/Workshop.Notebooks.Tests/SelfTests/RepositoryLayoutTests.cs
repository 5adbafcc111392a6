using FluentAssertions;
using Workshop.Notebooks.Tests.Harness;

namespace Workshop.Notebooks.Tests.SelfTests;

public sealed class RepositoryLayoutTests : IDisposable
{
    private readonly TempNotebookFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void FindRoot_FromNestedFolder_ReturnsFolderHoldingSolution()
    {
        // Arrange
        File.WriteAllText(Path.Combine(_folder.Path, RepositoryLayout.SolutionFileName), string.Empty);
        var nested = Directory.CreateDirectory(Path.Combine(_folder.Path, "src", "x", "bin")).FullName;

        // Act
        var root = RepositoryLayout.FindRoot(overrideRoot: null, nested);

        // Assert
        root.Should().Be(_folder.Path, "the walk goes up to the first folder holding Workshop.sln");
    }

    [Fact]
    public void FindRoot_WithOverride_ReturnsOverride()
    {
        // Act
        var root = RepositoryLayout.FindRoot(_folder.Path, "/");

        // Assert
        root.Should().Be(_folder.Path, "WORKSHOP_ROOT wins over the walk");
    }

    [Fact]
    public void FindRoot_WithoutSolutionAbove_ThrowsNamingTheVariable()
    {
        // Act
        var act = () => RepositoryLayout.FindRoot(overrideRoot: null, _folder.Path);

        // Assert
        act.Should().Throw<DirectoryNotFoundException>().WithMessage($"*{RepositoryLayout.RootVariable}*");
    }

    [Fact]
    public void NotebookFileNames_MixedFolder_ListsOnlyTopLevelNotebooksSorted()
    {
        // Arrange
        File.WriteAllText(Path.Combine(_folder.Path, "02-b.ipynb"), "{}");
        File.WriteAllText(Path.Combine(_folder.Path, "01-a.ipynb"), "{}");
        File.WriteAllText(Path.Combine(_folder.Path, "notes.md"), string.Empty);
        Directory.CreateDirectory(Path.Combine(_folder.Path, ".ipynb_checkpoints"));
        File.WriteAllText(Path.Combine(_folder.Path, ".ipynb_checkpoints", "01-a-checkpoint.ipynb"), "{}");

        // Act
        var names = RepositoryLayout.NotebookFileNames(_folder.Path);

        // Assert
        names.Should().Equal(["01-a.ipynb", "02-b.ipynb"]);
    }

    [Fact]
    public void RepositoryRoot_FromTestBinaries_HoldsSolution()
    {
        // Act
        var root = RepositoryLayout.Root;

        // Assert
        File.Exists(Path.Combine(root, RepositoryLayout.SolutionFileName)).Should().BeTrue($"{root} should be the repository root");
    }
}
