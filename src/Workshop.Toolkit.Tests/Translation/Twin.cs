using System.Text.RegularExpressions;
using Workshop.Toolkit.Repository;

namespace Workshop.Toolkit.Tests.Translation;

/// <summary>
/// An English document and its Simplified Chinese twin (<c>X.md</c> and <c>X.zh-CN.md</c>), compared by the rules of
/// <c>docs/glossary.zh-CN.md</c>: links both ways at the top; the same headings, levels and order (the report's standard
/// headings in the glossary's one rendering); the same folded blocks; code blocks, figures comments and commands
/// verbatim; the notebook linked from a lab report; as many hints. <c>tools/check-zh.py</c> applies the same rules for
/// a writer without a build.
/// </summary>
internal sealed partial class Twin
{
    private Twin(string english, string chinese)
    {
        EnglishPath = english;
        ChinesePath = chinese;
        English = File.ReadAllText(english).ReplaceLineEndings("\n");
        Chinese = File.Exists(chinese) ? File.ReadAllText(chinese).ReplaceLineEndings("\n") : null;
    }

    public string EnglishPath { get; }

    public string ChinesePath { get; }

    public string English { get; }

    public string? Chinese { get; }

    public static Twin Of(string englishPath) => new(englishPath, englishPath[..^".md".Length] + ".zh-CN.md");

    private string En => Path.GetFileName(EnglishPath);

    private string Zh => Path.GetRelativePath(Repo.Root, ChinesePath);

    /// <summary>What the Chinese file breaks of the rules, one line each, naming the section; empty when it keeps them.</summary>
    public IReadOnlyList<string> Problems(Glossary glossary, bool isReport, bool isHints, string? notebook = null)
    {
        if (Chinese is null) return [$"{Zh} is missing: {Path.GetRelativePath(Repo.Root, EnglishPath)} has no Chinese twin"];
        var zh = Chinese;
        var problems = new List<string>();
        if (!Top(English).Contains($"]({Path.GetFileName(ChinesePath)})", StringComparison.Ordinal))
            problems.Add($"{Path.GetRelativePath(Repo.Root, EnglishPath)} does not link to {Path.GetFileName(ChinesePath)} in its first lines");
        if (!Top(zh).Contains($"]({En})", StringComparison.Ordinal))
            problems.Add($"{Zh} does not link back to {En} in its first lines");

        var enHeadings = Headings(English);
        var zhHeadings = Headings(zh);
        for (var i = 0; i < Math.Max(enHeadings.Count, zhHeadings.Count); i++)
        {
            if (i >= zhHeadings.Count)
            {
                problems.Add($"{Zh} lacks section '{enHeadings[i].Text}' of {En} (heading {i + 1} of {enHeadings.Count}), and every heading after it");
                break;
            }
            if (i >= enHeadings.Count)
            {
                problems.Add($"{Zh} has section '{zhHeadings[i].Text}' (heading {i + 1}), which {En} does not have");
                break;
            }
            if (enHeadings[i].Level != zhHeadings[i].Level)
            {
                problems.Add($"{Zh}: section '{enHeadings[i].Text}' of {En} (heading {i + 1}, level {enHeadings[i].Level}) is '{zhHeadings[i].Text}' at level {zhHeadings[i].Level} here: a section was added or removed on one side");
                break;
            }
            if (glossary.Heading(enHeadings[i].Text) is { } want && zhHeadings[i].Text != want)
                problems.Add($"{Zh}: section '{enHeadings[i].Text}' must be titled '{want}' (docs/glossary.zh-CN.md), not '{zhHeadings[i].Text}'");
        }

        var enFolded = Summaries(English);
        var zhFolded = Summaries(zh);
        if (enFolded.Count != zhFolded.Count || Count(English, "<details") != Count(zh, "<details"))
            problems.Add($"{Zh} has {zhFolded.Count} folded blocks, {En} {enFolded.Count} ({string.Join(", ", enFolded)})");
        foreach (var (en, z) in enFolded.Zip(zhFolded))
        {
            if (glossary.Heading(SpoilerMark().Replace(en, "")) is { } want && !z.StartsWith(want, StringComparison.Ordinal))
                problems.Add($"{Zh}: folded block '{en}' must be titled '{want}', not '{z}'");
        }

        var enCode = CodeBlock().Matches(English).Select(m => m.Value).ToList();
        var zhCode = CodeBlock().Matches(zh).Select(m => m.Value).ToList();
        for (var i = 0; i < Math.Max(enCode.Count, zhCode.Count); i++)
        {
            if (i >= enCode.Count || i >= zhCode.Count || enCode[i] != zhCode[i])
            {
                problems.Add($"{Zh}: code block {i + 1} differs from {En}'s ({(i < enCode.Count ? Clip(enCode[i]) : "none")} against {(i < zhCode.Count ? Clip(zhCode[i]) : "none")}), in section '{SectionOf(English, i < enCode.Count ? English.IndexOf(enCode[i], StringComparison.Ordinal) : English.Length)}'");
                break;
            }
        }

        var enFigures = FiguresComment().Matches(English).Select(m => m.Value).ToList();
        var zhFigures = FiguresComment().Matches(zh).Select(m => m.Value).ToList();
        for (var i = 0; i < Math.Max(enFigures.Count, zhFigures.Count); i++)
        {
            if (i >= enFigures.Count || i >= zhFigures.Count || enFigures[i] != zhFigures[i])
            {
                problems.Add($"{Zh}: figures comment {i + 1} differs from {En}'s ({(i < enFigures.Count ? enFigures[i] : "none")} against {(i < zhFigures.Count ? zhFigures[i] : "none")}), in section '{SectionOf(English, i < enFigures.Count ? English.IndexOf(enFigures[i], StringComparison.Ordinal) : English.Length)}'");
                break;
            }
        }
        foreach (Match comment in FiguresComment().Matches(zh))
        {
            var before = zh[Math.Max(0, comment.Index - 3000)..comment.Index];
            foreach (var pair in comment.Groups["pairs"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (pair.Split('=', 2) is [_, var value] && !before.Contains(value, StringComparison.Ordinal))
                    problems.Add($"{Zh}: figure {pair} is not shown before its comment, in section '{SectionOf(zh, comment.Index)}'");
            }
        }

        var outside = CodeBlock().Replace(English, "");
        var flat = Whitespace().Replace(zh, " ");
        foreach (var command in Command().Matches(outside).Select(m => m.Value).Distinct())
        {
            // A command may wrap at another place in the other language's paragraph.
            if (!flat.Contains(Whitespace().Replace(command, " "), StringComparison.Ordinal))
                problems.Add($"{Zh} lacks the command {command} of {En}'s section '{SectionOf(English, English.IndexOf(command, StringComparison.Ordinal))}'");
        }

        foreach (var word in glossary.Rejected)
        {
            if (zh.Contains(word, StringComparison.Ordinal)) problems.Add($"{Zh} uses '{word}', a rendering docs/glossary.zh-CN.md rejects");
        }

        if (isReport && notebook is not null && !zh.Contains($"notebooks/{notebook}", StringComparison.Ordinal))
            problems.Add($"{Zh} does not link notebooks/{notebook} (the notebooks are English only: the report says so and links it)");
        if (isHints)
        {
            var enHints = HintHeading().Count(English);
            var zhHints = HintHeading().Count(zh);
            if (enHints != zhHints) problems.Add($"{Zh} has {zhHints} hints, {En} {enHints}");
        }
        return problems;
    }

    private static string Top(string text) => string.Join('\n', text.Split('\n').Take(4));

    private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;

    private static string Clip(string code) => code.Length <= 60 ? code.ReplaceLineEndings(" ") : code[..60].ReplaceLineEndings(" ") + "...";

    private static List<(int Level, string Text)> Headings(string text) =>
        [.. Heading().Matches(CodeBlock().Replace(text, "")).Select(m => (m.Groups[1].Length, m.Groups[2].Value.Trim()))];

    private static List<string> Summaries(string text) =>
        [.. Summary().Matches(text).Select(m => Tags().Replace(m.Groups[1].Value, "").Trim())];

    // The heading the position falls under, for a message that names the section.
    private static string SectionOf(string text, int position)
    {
        var headings = Heading().Matches(text[..Math.Clamp(position, 0, text.Length)]);
        return headings.Count == 0 ? "(before the first heading)" : headings[^1].Groups[2].Value.Trim();
    }

    [GeneratedRegex(@"^(#{1,6}) (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"```.*?```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"<summary>(.*?)</summary>")]
    private static partial Regex Summary();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s*\(spoiler\)\s*$")]
    private static partial Regex SpoilerMark();

    [GeneratedRegex(@"<!-- figures[^:]*: (?<pairs>[^>]*)-->")]
    private static partial Regex FiguresComment();

    [GeneratedRegex(@"`(?:\./workshop|dotnet |LAB_TARGET=|curl |hey )[^`]*`")]
    private static partial Regex Command();

    [GeneratedRegex(@"^## ", RegexOptions.Multiline)]
    private static partial Regex HintHeading();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

/// <summary>docs/glossary.zh-CN.md: the renderings it rejects, and the report headings' one rendering each.</summary>
internal sealed class Glossary
{
    private readonly Dictionary<string, string> _headings;

    private Glossary(List<(string English, string Chinese, string[] Rejected)> terms, Dictionary<string, string> headings)
    {
        Terms = terms;
        _headings = headings;
    }

    public IReadOnlyList<(string English, string Chinese, string[] Rejected)> Terms { get; }

    public IEnumerable<string> Rejected => Terms.SelectMany(t => t.Rejected);

    public static string FilePath => Path.Combine(Repo.Root, "docs", "glossary.zh-CN.md");

    /// <summary>The one rendering of a standard report heading (Summary, Root cause, ...); null for any other.</summary>
    public string? Heading(string english) => _headings.GetValueOrDefault(english.Trim().ToLowerInvariant());

    public static Glossary Load()
    {
        var text = File.ReadAllText(FilePath).ReplaceLineEndings("\n");
        var split = text.IndexOf("## 报告的标题", StringComparison.Ordinal);
        if (split < 0) throw new InvalidOperationException($"{FilePath} has no '## 报告的标题' section (the headings' renderings).");
        var terms = new List<(string, string, string[])>();
        foreach (var cells in Rows(text[..split]).Where(c => c.Length == 3))
            terms.Add((cells[0], cells[1], cells[2].Split('、', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        var headings = Rows(text[split..]).Where(c => c.Length == 2).ToDictionary(c => c[0].ToLowerInvariant(), c => c[1]);
        return new Glossary(terms, headings);
    }

    private static IEnumerable<string[]> Rows(string text) =>
        text.Split('\n').Where(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())
            .Where(c => c[0] != "English" && !c[0].StartsWith("---", StringComparison.Ordinal));
}
