using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Infrastructure;
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
            workspace.Err.MarkupLineInterpolated($"[yellow]No labs under {workspace.Root}/labs.[/]");
            return Task.FromResult(ExitCodes.Failed);
        }

        var statuses = workspace.Status.ReadAll();
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Incident labs[/]")
            .AddColumn(new TableColumn("Lab").NoWrap())
            .AddColumn("Incident")
            .AddColumn(new TableColumn("Your Broken copy").NoWrap())
            .AddColumn(new TableColumn("Hints").NoWrap());
        foreach (var lab in labs)
        {
            var (title, symptom) = Describe(lab);
            var status = statuses.TryGetValue(lab.Name, out var s) ? s : new LabStatus();
            var hints = Hints.HintBook.Read(lab).Count;
            table.AddRow(
                new Markup($"[bold]{lab.Id}[/]"),
                // The replay goes under the symptom, not in a column of its own: a piped table is 80 columns wide, and
                // the incident's words are what it should spend them on.
                new Markup($"[bold]{Markup.Escape(title)}[/] [dim]({Markup.Escape(lab.Name)})[/]\n{Markup.Escape(symptom)}\n" +
                    (Scenarios.HasReplay(lab) ? $"[dim]replay:[/] ./workshop replay {lab.Id}" : "[dim]replay: none yet[/]")),
                CheckCell(lab, status.Check),
                new Text(hints == 0 ? "-" : $"{status.HintsShown} of {hints} shown"));
        }

        workspace.Out.Write(table);
        workspace.Out.MarkupLine("[dim]Check your fix: ./workshop check 01 · a hint: ./workshop hint 01[/]");
        return Task.FromResult(ExitCodes.Ok);
    }

    /// <summary>The title and symptom from the lab's incident report: its heading and the first sentence of its Summary.</summary>
    internal static (string Title, string Symptom) Describe(LabInfo lab)
    {
        var readme = Path.Combine(lab.Directory, "README.md");
        if (!File.Exists(readme)) return (lab.Name, "");
        var text = File.ReadAllText(readme);
        var title = Heading().Match(text) is { Success: true } h ? h.Groups[1].Value.Trim() : lab.Name;
        // "Lab 01: the request log..." reads on in lower case; alone in a cell the title starts a sentence.
        if (title.Length > 0) title = char.ToUpperInvariant(title[0]) + title[1..];
        var summary = SummaryParagraph().Match(text) is { Success: true } m ? m.Groups[1].Value : "";
        var sentence = FirstSentence().Match(summary.ReplaceLineEndings(" ")) is { Success: true } f ? f.Value.Trim() : summary.Trim();
        return (title, sentence);
    }

    private static Markup CheckCell(LabInfo lab, CheckRecord? check)
    {
        if (check is null) return new Markup("[dim]not checked yet[/]");
        var when = check.At.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var verdict = check.IsGreen
            ? $"[green]green[/]: {check.Passed} of {check.Total} pass"
            : check.Note is { } note ? $"[red]red[/]: {Markup.Escape(note)}" : $"[red]red[/]: {check.Failed} of {check.Total} fail";
        var changed = check.BrokenFingerprint is { } seen && seen != SourceFingerprint.Of(Path.Combine(lab.Directory, "Broken"))
            ? "\n[yellow]changed since: check again[/]"
            : "";
        return new Markup($"{verdict}\n[dim]{when}[/]{changed}");
    }

    [GeneratedRegex(@"^#\s+(?:Lab\s+\d+:\s*)?(.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^##\s+Summary\s*$\s*(.+?)(?:\n\s*\n|\z)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex SummaryParagraph();

    [GeneratedRegex(@"^.+?[.!?](?=\s|$)")]
    private static partial Regex FirstSentence();
}
