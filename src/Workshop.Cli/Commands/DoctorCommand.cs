using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Doctor;
using Workshop.Cli.Infrastructure;

namespace Workshop.Cli.Commands;

/// <summary>`workshop doctor`: what this machine has and lacks for the workshop, and how to fix each gap.</summary>
internal sealed class DoctorCommand(Workspace workspace) : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var findings = await workspace.Err.Status().StartAsync("Checking this machine", _ => DoctorChecks.RunAllAsync(workspace.Root, cancellationToken));

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Check").AddColumn("").AddColumn("Found").AddColumn("Fix");
        foreach (var f in findings)
        {
            table.AddRow(
                new Text(f.Check),
                new Markup(f.Verdict switch
                {
                    Verdict.Ok => "[green]ok[/]",
                    Verdict.Warning => f.Required ? "[yellow]warning[/]" : "[yellow]missing[/]",
                    _ => "[red]FAILED[/]",
                }),
                new Text(f.Detail),
                new Text(f.Fix ?? "", new Style(Color.Aqua)));
        }
        workspace.Out.Write(table);

        var failed = findings.Where(f => f.Required && f.Verdict == Verdict.Failed).ToList();
        if (failed.Count > 0)
        {
            workspace.Out.MarkupLineInterpolated($"[red]{failed.Count} required check(s) failed:[/] {string.Join(", ", failed.Select(f => f.Check))}. Fix them as shown, then run ./workshop doctor again.");
            return ExitCodes.Failed;
        }
        var optional = findings.Where(f => !f.Required && f.Verdict != Verdict.Ok).Select(f => f.Check).ToList();
        workspace.Out.MarkupLine("[green]Ready.[/] Start with [aqua]./workshop replay all[/]." +
                                 (optional.Count > 0 ? $" [dim]Optional, and missing: {Markup.Escape(string.Join(", ", optional))}.[/]" : ""));
        return ExitCodes.Ok;
    }
}
