using FluentAssertions;
using Workshop.Notebooks.Tests.Harness;

namespace Workshop.Notebooks.Tests.SelfTests;

// Files and names only: test.sh runs these beside the tests that measure time.
[Trait("Schedule", "Beside")]
public sealed class RepositoryLayoutTests : IDisposable
{
    private readonly TempNotebookFolder _folder = new();

    public void Dispose() => _folder.Dispose();

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
        File.Exists(Path.Combine(root, Workshop.Toolkit.Repository.Repo.MarkerFile)).Should().BeTrue($"{root} should be the repository root");
    }
}
