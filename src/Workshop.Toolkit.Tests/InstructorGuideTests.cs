using System.Text.RegularExpressions;
using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Repository;

namespace Workshop.Toolkit.Tests;

/// <summary>
/// docs/instructor-guide.md quotes each lab's figures in <c>&lt;!-- figures of NN-name: name=value --&gt;</c> comments:
/// every one must be shown in the guide's text before its comment, and be a figure of that lab's report with the same
/// value, which the drift guard holds within 3x of what the lab's diagnosis measures.
/// </summary>
public sealed partial class InstructorGuideTests
{
    [Fact]
    public void Guide_EveryFigureItQuotes_IsTheLabReportsFigure()
    {
        // Arrange
        var guide = File.ReadAllText(Path.Combine(Repo.Root, "docs", "instructor-guide.md"));
        var comments = Comment().Matches(guide);

        // Act
        var wrong = new List<string>();
        var quoted = 0;
        var from = 0;
        foreach (Match comment in comments)
        {
            var lab = comment.Groups["lab"].Value;
            var shownBefore = guide[from..comment.Index];
            from = comment.Index + comment.Length;
            var report = Path.Combine(Repo.Root, "labs", lab, "README.md");
            if (!File.Exists(report))
            {
                wrong.Add($"{lab}: no such lab");
                continue;
            }
            var figures = ReportFigures.Parse(File.ReadAllText(report));
            foreach (var pair in comment.Groups["pairs"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                quoted++;
                var (name, shown) = (pair.Split('=', 2)[0], pair.Split('=', 2).ElementAtOrDefault(1) ?? "");
                if (!shownBefore.Contains(shown, StringComparison.Ordinal)) wrong.Add($"{lab} {pair}: not shown in the guide before its comment");
                if (!figures.Any(f => f.Name == name && f.Shown == shown))
                {
                    var theirs = figures.Where(f => f.Name == name).Select(f => f.Shown).Distinct().ToList();
                    wrong.Add($"{lab} {pair}: the report {(theirs.Count == 0 ? "has no such figure" : $"says {string.Join(" or ", theirs)}")}");
                }
            }
        }

        // Assert
        comments.Count.Should().BeGreaterThanOrEqualTo(7, "the guide quotes the numbers to expect for each of the seven labs");
        wrong.Should().BeEmpty("each of the {0} figures the guide quotes must be its lab report's, shown as the report shows it", quoted);
    }

    [GeneratedRegex(@"<!--\s*figures of (?<lab>\d\d-[a-z0-9-]+):(?<pairs>[^>]*?)-->")]
    private static partial Regex Comment();
}
