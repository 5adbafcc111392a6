using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Doctor;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Localization;

namespace Workshop.Cli.Commands;

/// <summary>`workshop doctor`: what this machine has and lacks for the workshop, and how to fix each gap.</summary>
internal sealed class DoctorCommand(Workspace workspace) : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var findings = await workspace.Err.Status().StartAsync(Texts.Get("Doctor.Checking"), _ => DoctorChecks.RunAllAsync(workspace.Root, cancellationToken));

        var table = new Table().Border(TableBorder.Rounded).AddColumn(Texts.Get("Doctor.ColumnCheck")).AddColumn("").AddColumn(Texts.Get("Doctor.ColumnFound")).AddColumn(Texts.Get("Doctor.ColumnFix"));
        foreach (var f in findings)
        {
            table.AddRow(
                new Text(f.Check),
                new Markup(f.Verdict switch
                {
                    Verdict.Ok => Texts.Get("Doctor.Ok"),
                    Verdict.Warning => Texts.Get(f.Required ? "Doctor.Warning" : "Doctor.Missing"),
                    _ => Texts.Get("Doctor.Failed"),
                }),
                new Text(f.Detail),
                new Text(f.Fix ?? "", new Style(Color.Aqua)));
        }
        workspace.Out.Write(table);

        var failed = findings.Where(f => f.Required && f.Verdict == Verdict.Failed).ToList();
        if (failed.Count > 0)
        {
            workspace.Out.MarkupLine(Texts.Get("Doctor.RequiredFailed", failed.Count, Markup.Escape(string.Join(Texts.Get("App.ListSeparator"), failed.Select(f => f.Check)))));
            return ExitCodes.Failed;
        }
        var optional = findings.Where(f => !f.Required && f.Verdict != Verdict.Ok).Select(f => f.Check).ToList();
        workspace.Out.MarkupLine(Texts.Get("Doctor.Ready") +
                                 (optional.Count > 0 ? Texts.Get("Doctor.OptionalMissing", Markup.Escape(string.Join(Texts.Get("App.ListSeparator"), optional))) : ""));
        return ExitCodes.Ok;
    }
}
