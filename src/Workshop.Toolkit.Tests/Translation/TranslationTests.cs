using Workshop.Toolkit.Repository;

namespace Workshop.Toolkit.Tests.Translation;

/// <summary>
/// Every lab's report and hints have a Simplified Chinese twin kept in step with the English: a section, a folded
/// answer, a code block, a command, a figure or a hint that one side has and the other lacks fails here, naming it; and
/// no Chinese text uses a rendering the glossary rejects.
/// </summary>
public sealed partial class TranslationTests
{
    public static TheoryData<string> LabIds() => new(Labs.All().Select(l => l.Id));

    [Theory]
    [MemberData(nameof(LabIds))]
    public void ChineseReport_OfEveryLab_KeepsTheEnglishReportsSectionsCodeCommandsAndFigures(string lab)
    {
        // Arrange
        var info = Labs.Find(lab);
        var twin = Twin.Of(Path.Combine(info.Directory, "README.md"));

        // Act
        var problems = twin.Problems(Glossary.Load(), isReport: true, isHints: false, notebook: info.Name + ".ipynb");

        // Assert
        problems.Should().BeEmpty("lab {0}'s README.zh-CN.md keeps README.md's structure ({1} problems: {2})", lab, problems.Count, string.Join(" | ", problems));
    }

    [Theory]
    [MemberData(nameof(LabIds))]
    public void ChineseHints_OfEveryLab_KeepTheEnglishHints(string lab)
    {
        // Arrange
        var twin = Twin.Of(Path.Combine(Labs.Find(lab).Directory, "hints.md"));

        // Act
        var problems = twin.Problems(Glossary.Load(), isReport: false, isHints: true);

        // Assert
        problems.Should().BeEmpty("lab {0}'s hints.zh-CN.md keeps hints.md's hints ({1} problems: {2})", lab, problems.Count, string.Join(" | ", problems));
    }

    [Fact]
    public void ChineseRootReadme_KeepsTheEnglishOnesSectionsCodeAndCommands()
    {
        // Arrange
        var twin = Twin.Of(Path.Combine(Repo.Root, "README.md"));

        // Act
        var problems = twin.Problems(Glossary.Load(), isReport: false, isHints: false);

        // Assert
        problems.Should().BeEmpty("README.zh-CN.md keeps README.md's structure ({0} problems: {1})", problems.Count, string.Join(" | ", problems));
    }

    [Fact]
    public void ChineseChapterTexts_KeepTheEnglishOnesSectionsCodeAndCommands()
    {
        // Arrange: every README of the chapters (chapters/NN-name/**), outside build output.
        var readmes = Directory.EnumerateFiles(Path.Combine(Repo.Root, "chapters"), "README.md", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")).ToList();

        // Act
        var problems = readmes.SelectMany(r => Twin.Of(r).Problems(Glossary.Load(), isReport: false, isHints: false)).ToList();

        // Assert
        readmes.Should().NotBeEmpty("the middleware chapter has its text");
        problems.Should().BeEmpty("each chapter text has a Chinese twin that keeps its structure ({0} problems: {1})", problems.Count, string.Join(" | ", problems));
    }

    [Theory]
    [MemberData(nameof(LabIds))]
    public void ChineseReport_OfEveryLab_LinksEachStepOfItsEnglishNotebook(string lab)
    {
        // Arrange: the notebook's steps, by the anchors before their "## N." headings.
        var info = Labs.Find(lab);
        var notebook = info.Name + ".ipynb";
        var steps = NotebookSteps(Path.Combine(Repo.Root, "notebooks", notebook));
        var zh = File.ReadAllText(Path.Combine(info.Directory, "README.zh-CN.md"));

        // Act
        var linked = StepLink().Matches(zh).Where(m => m.Groups[1].Value == notebook).Select(m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        // Assert
        steps.Should().NotBeEmpty("notebooks/{0} has numbered steps", notebook);
        linked.Should().Equal(steps, "lab {0}'s Chinese report links each step of its English notebook once, in order (notebooks/{1}#step-N)", lab, notebook);
    }

    [Fact]
    public void Notebooks_EveryNumberedStep_HasTheAnchorTheChineseReportsLinkTo()
    {
        // Arrange
        var notebooks = Directory.EnumerateFiles(Path.Combine(Repo.Root, "notebooks"), "*.ipynb").ToList();

        // Act: a "## N." heading whose previous line is not <a id="step-N"></a>.
        var missing = notebooks.SelectMany(nb => MarkdownLines(nb)
                .Select((line, i) => (line, i))
                .Where(x => NumberedStep().Match(x.line) is { Success: true } m &&
                            (x.i == 0 || MarkdownLines(nb)[x.i - 1].Trim() != $"<a id=\"step-{m.Groups[1].Value}\"></a>"))
                .Select(x => $"{Path.GetFileName(nb)}: {x.line.Trim()}"))
            .ToList();

        // Assert
        notebooks.Should().HaveCountGreaterThan(10);
        missing.Should().BeEmpty("every notebook step has its anchor line before its heading ({0})", string.Join(" | ", missing));
    }

    private static List<string> MarkdownLines(string notebook)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(notebook));
        return [.. doc.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "markdown")
            .SelectMany(c => string.Concat(c.GetProperty("source").EnumerateArray().Select(l => l.GetString())).Split('\n'))];
    }

    private static List<int> NotebookSteps(string notebook) =>
        [.. MarkdownLines(notebook).Select(l => StepAnchor().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    [System.Text.RegularExpressions.GeneratedRegex(@"^##\s+(\d+)\.\s")]
    private static partial System.Text.RegularExpressions.Regex NumberedStep();

    [System.Text.RegularExpressions.GeneratedRegex(@"^<a id=""step-(\d+)""></a>\s*$")]
    private static partial System.Text.RegularExpressions.Regex StepAnchor();

    [System.Text.RegularExpressions.GeneratedRegex(@"notebooks/([\w.-]+\.ipynb)#step-(\d+)\)")]
    private static partial System.Text.RegularExpressions.Regex StepLink();

    [Fact]
    public void CliResources_Chinese_UseNoRenderingTheGlossaryRejects()
    {
        // Arrange: the CLI's and the live page's Chinese words, which follow the glossary as the reports do.
        var resx = Path.Combine(Repo.Root, "src", "Workshop.Cli", "Localization", "Strings.zh-CN.resx");
        var text = File.ReadAllText(resx);
        var glossary = Glossary.Load();

        // Act
        var rejected = glossary.Rejected.Where(r => text.Contains(r, StringComparison.Ordinal)).ToList();

        // Assert
        text.Should().Contain("回放", "the Chinese resources use the glossary's words (replay: 回放)");
        rejected.Should().BeEmpty("Strings.zh-CN.resx uses the glossary's renderings, not {0}", string.Join(", ", rejected));
    }

    [Fact]
    public void Glossary_EachTerm_HasOneRenderingNeverAlsoRejected()
    {
        // Arrange
        var glossary = Glossary.Load();

        // Act
        var twice = glossary.Terms.GroupBy(t => t.English).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var both = glossary.Terms.Where(t => glossary.Rejected.Any(r => t.Chinese.Split(" / ").Contains(r))).Select(t => t.English).ToList();

        // Assert
        glossary.Terms.Should().HaveCountGreaterThan(20, "the glossary lists the workshop's terms");
        twice.Should().BeEmpty("each English term has one row ({0})", string.Join(", ", twice));
        both.Should().BeEmpty("no term's rendering is also a rejected one ({0})", string.Join(", ", both));
    }

    [Fact]
    public void Twin_EnglishReportWithASectionTheChineseLacks_FailsNamingTheSection()
    {
        // Arrange: lab 01's twins, with a section added to the English side only, in a scratch folder.
        var lab = Labs.Find("01");
        var scratch = Directory.CreateTempSubdirectory("workshop-twin-");
        try
        {
            var english = Path.Combine(scratch.FullName, "README.md");
            File.WriteAllText(english, File.ReadAllText(Path.Combine(lab.Directory, "README.md")) + "\n## Afterword\n\nA section only English has.\n");
            File.Copy(Path.Combine(lab.Directory, "README.zh-CN.md"), Path.Combine(scratch.FullName, "README.zh-CN.md"));

            // Act
            var problems = Twin.Of(english).Problems(Glossary.Load(), isReport: true, isHints: false, notebook: lab.Name + ".ipynb");

            // Assert
            problems.Should().ContainSingle(p => p.Contains("'Afterword'", StringComparison.Ordinal), "the English section the twin lacks is named ({0})", string.Join(" | ", problems));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Fact]
    public void Twin_ChineseHintsWithAHintRemoved_FailsCountingBoth()
    {
        // Arrange
        var lab = Labs.Find("02");
        var scratch = Directory.CreateTempSubdirectory("workshop-twin-");
        try
        {
            File.Copy(Path.Combine(lab.Directory, "hints.md"), Path.Combine(scratch.FullName, "hints.md"));
            var hints = File.ReadAllLines(Path.Combine(lab.Directory, "hints.md")).Count(l => l.StartsWith("## ", StringComparison.Ordinal));
            var chinese = File.ReadAllText(Path.Combine(lab.Directory, "hints.zh-CN.md"));
            File.WriteAllText(Path.Combine(scratch.FullName, "hints.zh-CN.md"), chinese[..chinese.LastIndexOf("\n## ", StringComparison.Ordinal)] + "\n");

            // Act
            var problems = Twin.Of(Path.Combine(scratch.FullName, "hints.md")).Problems(Glossary.Load(), isReport: false, isHints: true);

            // Assert
            problems.Should().Contain(p => p.Contains($"has {hints - 1} hints, hints.md {hints}", StringComparison.Ordinal),
                "a hint removed from the Chinese file is found ({0})", string.Join(" | ", problems));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Fact]
    public void Twin_ChineseReportWithAFigureChanged_FailsNamingTheFigure()
    {
        // Arrange
        var lab = Labs.Find("09");
        var scratch = Directory.CreateTempSubdirectory("workshop-twin-");
        try
        {
            File.Copy(Path.Combine(lab.Directory, "README.md"), Path.Combine(scratch.FullName, "README.md"));
            var chinese = File.ReadAllText(Path.Combine(lab.Directory, "README.zh-CN.md"));
            File.WriteAllText(Path.Combine(scratch.FullName, "README.zh-CN.md"), chinese.Replace("broken_restart_reservations=800", "broken_restart_reservations=400", StringComparison.Ordinal));

            // Act
            var problems = Twin.Of(Path.Combine(scratch.FullName, "README.md")).Problems(Glossary.Load(), isReport: true, isHints: false, notebook: lab.Name + ".ipynb");

            // Assert
            problems.Should().Contain(p => p.Contains("figures comment", StringComparison.Ordinal) && p.Contains("broken_restart_reservations=800", StringComparison.Ordinal),
                "a figure changed in the Chinese report is found ({0})", string.Join(" | ", problems));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Fact]
    public void Twin_ChineseTextWithARejectedRendering_Fails()
    {
        // Arrange
        var lab = Labs.Find("07");
        var scratch = Directory.CreateTempSubdirectory("workshop-twin-");
        try
        {
            File.Copy(Path.Combine(lab.Directory, "hints.md"), Path.Combine(scratch.FullName, "hints.md"));
            File.WriteAllText(Path.Combine(scratch.FullName, "hints.zh-CN.md"), File.ReadAllText(Path.Combine(lab.Directory, "hints.zh-CN.md")) + "\n熔断器\n");

            // Act
            var problems = Twin.Of(Path.Combine(scratch.FullName, "hints.md")).Problems(Glossary.Load(), isReport: false, isHints: true);

            // Assert
            problems.Should().Contain(p => p.Contains("'熔断器'", StringComparison.Ordinal), "a rejected rendering is found ({0})", string.Join(" | ", problems));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
