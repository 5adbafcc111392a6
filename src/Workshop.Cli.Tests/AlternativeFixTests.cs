using Workshop.Cli.Tests.Support;
using Workshop.Toolkit;
using Xunit.Abstractions;

namespace Workshop.Cli.Tests;

/// <summary>
/// The spec judges behaviour, not the reference fix's spelling: every lab keeps, in <c>Alternatives/</c>, fixes
/// written otherwise. Each folder's files replace <c>Broken/</c>'s in a scratch copy of the repository, and
/// <c>workshop check</c> must then be green for a folder named <c>correct-*</c> and red for one named <c>deletes-*</c>
/// (a "fix" that removes the feature). Found by folder: a new lab adds its own with no edit here. The two kinds are
/// two classes, so xunit runs a correct one beside a deleting one: each check spends much of its time waiting on a
/// build or on the spec's own timeouts, and one after another they were the longest stretch of CI.
/// </summary>
public sealed class AlternativeFixTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Correct() => Alternatives("correct-");

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Check_BrokenReplacedByACorrectAlternative_IsGreen(string lab, string alternative) =>
        CheckAsync(output, lab, alternative);

    internal static TheoryData<string, string> Alternatives(string prefix)
    {
        var data = new TheoryData<string, string>();
        foreach (var lab in Labs.All(ScratchRepo.RealRoot))
        {
            var folder = Path.Combine(lab.Directory, "Alternatives");
            if (!Directory.Exists(folder)) continue;
            foreach (var alternative in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(alternative);
                name.Should().Match(a => a.StartsWith("correct-", StringComparison.Ordinal) || a.StartsWith("deletes-", StringComparison.Ordinal),
                    "an alternative's name says what the spec must make of it ({0} of lab {1})", name, lab.Name);
                if (name.StartsWith(prefix, StringComparison.Ordinal)) data.Add(lab.Name, name);
            }
        }
        return data;
    }

    internal static async Task CheckAsync(ITestOutputHelper output, string lab, string alternative)
    {
        // Arrange
        using var scratch = ScratchRepo.CopyOfReal(lab);
        var info = Labs.Find(Labs.All(scratch.Root), lab);
        var broken = Path.GetDirectoryName(info.ProjectFile("Broken"))!;
        var from = Path.Combine(info.Directory, "Alternatives", alternative);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "README.md"))
            ScratchRepo.Write(Path.Combine(broken, Path.GetRelativePath(from, file)), File.ReadAllText(file));
        var correct = alternative.StartsWith("correct-", StringComparison.Ordinal);

        // Act
        var run = await WorkshopCli.RunAsync(scratch.Root, scratch.State, ["check", info.Id]);
        output.WriteLine(run.ToString());

        // Assert
        run.Out.Should().NotContain("did not build", "the alternative must compile for its verdict to mean anything");
        if (correct)
        {
            run.ExitCode.Should().Be(0, "{0} fixes lab {1} another way than the reference, and the spec judges behaviour", alternative, lab);
            run.Out.Should().Contain("GREEN: all");
        }
        else
        {
            run.ExitCode.Should().Be(1, "{0} passes lab {1}'s incident tests by removing the feature, which a guard must catch", alternative, lab);
            run.Out.Should().Contain("✘ fail");
        }
    }
}

/// <summary>The other half of <see cref="AlternativeFixTests"/>: each lab's "fix" that deletes the feature must be red.</summary>
public sealed class DeletedFeatureTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Deleting() => AlternativeFixTests.Alternatives("deletes-");

    [Theory]
    [MemberData(nameof(Deleting))]
    public Task Check_BrokenReplacedByAnAlternativeThatDeletesTheFeature_IsRed(string lab, string alternative) =>
        AlternativeFixTests.CheckAsync(output, lab, alternative);
}
