using Workshop.Toolkit.Repository;

namespace Workshop.Toolkit.Tests;

public sealed class RepoTests
{
    [Fact]
    public void Root_FromTestOutputFolder_IsTheFolderHoldingTheSolution()
    {
        // Act
        var root = Repo.Root;

        // Assert
        File.Exists(Path.Combine(root, "Workshop.sln")).Should().BeTrue();
    }

    [Fact]
    public void Find_StartDeepInsideRepo_WalksUpToRoot()
    {
        // Arrange
        var root = Repo.Root;
        var deep = Path.Combine(root, "labs", "01-logging-blocking", "Fixed");

        // Act
        var found = Repo.Find(null, deep);

        // Assert
        found.Should().Be(root);
    }

    [Fact]
    public void Find_OverrideWithoutSolution_ThrowsNamingTheVariable()
    {
        // Arrange
        var empty = Directory.CreateTempSubdirectory("workshop-root-").FullName;
        try
        {
            // Act
            var act = () => Repo.Find(empty, Repo.Root);

            // Assert
            act.Should().Throw<DirectoryNotFoundException>().WithMessage("*WORKSHOP_ROOT*");
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void Find_NoSolutionAbove_ThrowsWithAdvice()
    {
        // Arrange
        var outside = Path.GetPathRoot(Path.GetTempPath())!;

        // Act
        var act = () => Repo.Find(null, outside);

        // Assert
        act.Should().Throw<DirectoryNotFoundException>().WithMessage("*Workshop.sln*WORKSHOP_ROOT*");
    }

    [Theory]
    [InlineData("01")]
    [InlineData("1")]
    [InlineData("01-logging-blocking")]
    [InlineData("01-LOGGING-BLOCKING")]
    public void LabsFind_IdOrName_FindsLab01(string key)
    {
        // Act
        var lab = Labs.Find(key);

        // Assert
        lab.Id.Should().Be("01");
        lab.Name.Should().Be("01-logging-blocking");
        lab.Directory.Should().Be(Path.Combine(Repo.Root, "labs", "01-logging-blocking"));
    }

    [Theory]
    [InlineData("99")]
    [InlineData("logging")]
    [InlineData("")]
    public void LabsFind_Unknown_ThrowsListingKnownLabs(string key)
    {
        // Act
        var act = () => Labs.Find(key);

        // Assert
        act.Should().Throw<ArgumentException>().WithMessage("*Known labs: *01-logging-blocking*");
    }

    [Fact]
    public void LabsAll_Repository_ListsLabsInOrderWithTheirVariants()
    {
        // Act
        var labs = Labs.All();

        // Assert
        labs.Should().NotBeEmpty();
        labs.Select(l => l.Name).Should().BeInAscendingOrder(StringComparer.Ordinal);
        labs[0].Variants().Should().Contain(["Broken", "Fixed"]);
    }

    [Fact]
    public void ProjectFile_UnknownVariant_ThrowsListingVariants()
    {
        // Arrange
        var lab = Labs.Find("01");

        // Act
        var act = () => lab.ProjectFile("Repaired");

        // Assert
        act.Should().Throw<ArgumentException>().WithMessage("*Repaired*Known variants: *Broken*Fixed*");
    }
}

public sealed class SourceExcerptTests
{
    [Fact]
    public void Of_MarkersPresent_ReturnsTheNumberedLinesBetweenThem()
    {
        // Act
        var excerpt = SourceExcerpt.Of(Labs.Find("02"), "Broken/Reports/ReportEndpoints.cs", "Stop rendering when", "return TypedResults.Bytes");

        // Assert
        excerpt.Should().Contain("CreateLinkedTokenSource").And.Contain("TypedResults.Bytes");
        excerpt.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().OnlyContain(l => char.IsDigit(l.TrimStart()[0]));
    }

    [Fact]
    public void Of_MarkerMissing_ThrowsNamingIt()
    {
        // Act
        var act = () => SourceExcerpt.Of(Labs.Find("02"), "Broken/Reports/ReportEndpoints.cs", "Stop rendering when", "TypedResults.File");

        // Assert
        act.Should().Throw<InvalidOperationException>().WithMessage("*no line with 'TypedResults.File'*");
    }
}
