using System.Text;
using System.Text.RegularExpressions;
using Spectre.Console;
using Workshop.Toolkit.Repository;

namespace Workshop.Cli.Hints;

/// <summary>One hint: its number (1 is the nudge) and its markdown text.</summary>
internal sealed record Hint(int Number, string Text);

/// <summary>
/// A lab's hints, from <c>labs/NN-name/hints.md</c> (sections <c>## Hint 1</c>, <c>## Hint 2</c>, ... in order) or, in
/// Chinese, from its twin <c>hints.zh-CN.md</c> (<c>## 提示 1</c>, ...) when the lab has one.
/// </summary>
internal static partial class HintBook
{
    public const string FileName = "hints.md";

    public const string ChineseFileName = "hints.zh-CN.md";

    /// <summary>The hint file of the current language: the Chinese twin when the CLI speaks Chinese and the lab has one.</summary>
    public static string FileOf(LabInfo lab) =>
        Localization.Language.IsChinese() && File.Exists(Path.Combine(lab.Directory, ChineseFileName)) ? ChineseFileName : FileName;

    public static IReadOnlyList<Hint> Read(LabInfo lab)
    {
        var path = Path.Combine(lab.Directory, FileOf(lab));
        return File.Exists(path) ? Parse(File.ReadAllText(path)) : [];
    }

    /// <summary>The hint sections in file order; text before the first one (the file's own title) is not a hint.</summary>
    public static IReadOnlyList<Hint> Parse(string markdown)
    {
        var hints = new List<Hint>();
        int? number = null;
        var text = new StringBuilder();
        void Flush()
        {
            if (number is { } n && text.ToString().Trim() is { Length: > 0 } body) hints.Add(new Hint(n, body));
            text.Clear();
        }

        foreach (var line in markdown.ReplaceLineEndings("\n").Split('\n'))
        {
            if (Section().Match(line) is { Success: true } section)
            {
                Flush();
                number = section.Groups[1].Success ? int.Parse(section.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
                continue;
            }
            if (number is not null) text.Append(line).Append('\n');
        }
        Flush();
        return hints;
    }

    /// <summary>A hint as Spectre markup: escaped, with `code` spans highlighted.</summary>
    public static string ToMarkup(string text)
    {
        var markup = new StringBuilder();
        var last = 0;
        foreach (Match code in CodeSpan().Matches(text))
        {
            markup.Append(Markup.Escape(text[last..code.Index]));
            markup.Append("[aqua]").Append(Markup.Escape(code.Groups[1].Value)).Append("[/]");
            last = code.Index + code.Length;
        }
        return markup.Append(Markup.Escape(text[last..])).ToString();
    }

    /// <summary>
    /// A hint in a panel headed "Hint N of M", as wide as <paramref name="width"/> cells allow (Chinese text is wrapped
    /// here, between characters, since Spectre breaks lines only at spaces).
    /// </summary>
    public static Panel Render(Hint hint, int count, int width) =>
        new Panel(new Markup(ToMarkup(Localization.Language.IsChinese() ? Localization.CjkWrap.Lines(hint.Text, Math.Max(20, width - 4)) : hint.Text)))
            .Header(Localization.Texts.Get("Hint.Header", hint.Number, count))
            .Border(BoxBorder.Rounded)
            .BorderColor(Color.Yellow);

    // "## Hint 2" or "## 提示 2"; any other second-level heading ends the hint before it.
    [GeneratedRegex(@"^##\s+(?:(?:Hint|提示)\s*(\d+)\b.*|.*)$")]
    private static partial Regex Section();

    [GeneratedRegex(@"`([^`\n]+)`")]
    private static partial Regex CodeSpan();
}
