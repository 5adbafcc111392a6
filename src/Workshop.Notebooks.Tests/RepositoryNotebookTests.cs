using FluentAssertions;
using Workshop.Notebooks.Tests.Harness;
using Xunit.Abstractions;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Runs every notebooks/*.ipynb of the repository headless; one test case per notebook. The cells assert what they show,
/// never how fast: test.sh runs these beside the drift guard, after the tests that measure time have had the machine.
/// </summary>
[Collection(NotebookCollection.Name)]
[Trait("Schedule", "Beside")]
public sealed class RepositoryNotebookTests(ITestOutputHelper output)
{
    public const string AllowEmptyVariable = "NOTEBOOKS_ALLOW_EMPTY";

    // xunit 2 fails a theory whose data is empty ("No data found"), so an empty folder yields this
    // one row, which passes; Notebooks_InRepository_AreFound is the test that fails on zero notebooks.
    private const string NoNotebooks = "(no notebooks)";

    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        IReadOnlyList<string> names;
        try
        {
            names = RepositoryLayout.NotebookFileNames(RepositoryLayout.NotebooksDirectory);
        }
        catch (DirectoryNotFoundException)
        {
            names = [];
        }

        foreach (var name in names)
        {
            data.Add(name);
        }

        if (names.Count == 0)
        {
            data.Add(NoNotebooks);
        }

        return data;
    }

    [Fact]
    public void Notebooks_InRepository_AreFound()
    {
        // Arrange
        var directory = RepositoryLayout.NotebooksDirectory;
        var allowEmpty = Environment.GetEnvironmentVariable(AllowEmptyVariable) == "1";

        // Act
        var names = RepositoryLayout.NotebookFileNames(directory);
        output.WriteLine($"{names.Count} notebook(s) in {directory}: {string.Join(", ", names)}");

        // Assert
        Directory.Exists(directory).Should().BeTrue($"the repository keeps its notebooks in {directory}");
        if (!allowEmpty)
        {
            names.Should().NotBeEmpty(
                $"{directory} should hold at least one .ipynb notebook (set {AllowEmptyVariable}=1 to accept none while there are none yet)");
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_RunHeadless_EveryCellPasses(string notebook)
    {
        if (notebook == NoNotebooks)
        {
            output.WriteLine($"No notebook in {RepositoryLayout.NotebooksDirectory}; {nameof(Notebooks_InRepository_AreFound)} reports that.");
            return;
        }

        // Arrange
        var runner = new NotebookRunner(NotebookRunnerOptions.FromEnvironment(output.WriteLine));
        var path = Path.Combine(RepositoryLayout.NotebooksDirectory, notebook);

        // Act
        var result = await runner.RunAsync(path);
        output.WriteLine(result.Describe());

        // Assert
        result.Succeeded.Should().BeTrue($"every cell of {notebook} should run headless without failing:{Environment.NewLine}{result.Describe()}{Environment.NewLine}");
    }
}
