using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Localization;
using Workshop.Toolkit.Repository;
using Workshop.Toolkit.Replay;

namespace Workshop.Cli.Commands;

/// <summary>`workshop list`: every lab with its title, its symptom and the learner's last check.</summary>
internal sealed partial class ListCommand(Workspace workspace) : AsyncCommand
{
    public override Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var labs = workspace.Labs();
        if (labs.Count == 0)
        {
            workspace.Err.MarkupLine(Texts.Get("List.NoLabs", Markup.Escape(workspace.Root)));
            return Task.FromResult(ExitCodes.Failed);
        }

        var statuses = workspace.Status.ReadAll();
        // Chinese text breaks between any two characters, which Spectre does not know: it is wrapped here, to a column
        // as wide as what the other three leave (English wraps at its spaces, as before).
        var chinese = Language.IsChinese();
        var incidentWidth = Math.Clamp(workspace.Out.Profile.Width - 50, 24, 100);
        var table = new Table().Border(TableBorder.Rounded).Title(Texts.Get("List.Title"))
            .AddColumn(new TableColumn(Texts.Get("List.ColumnLab")).NoWrap())
            .AddColumn(chinese ? new TableColumn(Texts.Get("List.ColumnIncident")).Width(incidentWidth) : new TableColumn(Texts.Get("List.ColumnIncident")))
            .AddColumn(new TableColumn(Texts.Get("List.ColumnCopy")).NoWrap())
            .AddColumn(new TableColumn(Texts.Get("List.ColumnHints")).NoWrap());
        foreach (var lab in labs)
        {
            var (title, symptom) = Describe(lab);
            if (chinese) (title, symptom) = (CjkWrap.Lines(title, incidentWidth), CjkWrap.Lines(symptom, incidentWidth));
            var status = statuses.TryGetValue(lab.Name, out var s) ? s : new LabStatus();
            var hints = Hints.HintBook.Read(lab).Count;
            table.AddRow(
                new Markup($"[bold]{lab.Id}[/]"),
                // The replay goes under the symptom, not in a column of its own: a piped table is 80 columns wide, and
                // the incident's words are what it should spend them on.
                new Markup($"[bold]{Markup.Escape(title)}[/]{(chinese ? "\n" : " ")}[dim]({Markup.Escape(lab.Name)})[/]\n{Markup.Escape(symptom)}\n" +
                    (Scenarios.HasReplay(lab) ? Texts.Get("List.Replay", lab.Id) : Texts.Get("List.NoReplay"))),
                CheckCell(lab, status.Check),
                new Text(hints == 0 ? "-" : Texts.Get("List.HintsShown", status.HintsShown, hints)));
        }

        workspace.Out.Write(table);
        workspace.Out.MarkupLine(Texts.Get("List.Footer"));
        return Task.FromResult(ExitCodes.Ok);
    }

    /// <summary>
    /// The title and symptom from the lab's incident report in the current language (README.zh-CN.md in Chinese,
    /// README.md when it has no twin): its heading and the first sentence of its Summary.
    /// </summary>
    internal static (string Title, string Symptom) Describe(LabInfo lab)
    {
        var chinese = Language.IsChinese() && File.Exists(Path.Combine(lab.Directory, "README.zh-CN.md"));
        var readme = Path.Combine(lab.Directory, chinese ? "README.zh-CN.md" : "README.md");
        if (!File.Exists(readme)) return (lab.Name, "");
        var text = File.ReadAllText(readme);
        var title = Heading().Match(text) is { Success: true } h ? h.Groups[1].Value.Trim() : lab.Name;
        // "Lab 01: the request log..." reads on in lower case; alone in a cell the title starts a sentence.
        if (title.Length > 0) title = char.ToUpperInvariant(title[0]) + title[1..];
        var summary = SummaryParagraph().Match(text) is { Success: true } m ? m.Groups[1].Value : "";
        // A line break inside a Chinese sentence is no space: the lines join as they are.
        var joined = chinese ? CjkLineBreak().Replace(summary, "$1$2") : summary;
        var sentence = FirstSentence().Match(joined.ReplaceLineEndings(" ")) is { Success: true } f ? f.Value.Trim() : joined.Trim();
        return (title, sentence);
    }

    private static Markup CheckCell(LabInfo lab, CheckRecord? check)
    {
        if (check is null) return new Markup(Texts.Get("List.NotChecked"));
        var when = check.At.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var verdict = check.IsGreen
            ? Texts.Get("List.Green", check.Passed, check.Total)
            : check.Note is { } note ? Texts.Get("List.RedNote", Markup.Escape(note)) : Texts.Get("List.Red", check.Failed, check.Total);
        var changed = check.BrokenFingerprint is { } seen && seen != SourceFingerprint.Of(Path.Combine(lab.Directory, "Broken"))
            ? "\n" + Texts.Get("List.Changed")
            : "";
        return new Markup($"{verdict}\n[dim]{when}[/]{changed}");
    }

    // "# Lab 01: ..." or "# 实验 01：..."
    [GeneratedRegex(@"^#\s+(?:(?:Lab\s+\d+:|实验\s*\d+\s*[：:])\s*)?(.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    // "## Summary" or its twin's "## 概要" (docs/glossary.zh-CN.md)
    [GeneratedRegex(@"^##\s+(?:Summary|概要)\s*$\s*(.+?)(?:\n\s*\n|\z)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex SummaryParagraph();

    // An English sentence ends at . ! ? before a space; a Chinese one at 。！？ wherever it stands.
    [GeneratedRegex(@"^.+?(?:[.!?](?=\s|$)|[。！？])")]
    private static partial Regex FirstSentence();

    [GeneratedRegex(@"(\p{IsCJKUnifiedIdeographs}|[，。、；：！？）」])\r?\n(\p{IsCJKUnifiedIdeographs}|[（「])")]
    private static partial Regex CjkLineBreak();
}
