using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Hints;
using Workshop.Cli.Infrastructure;

namespace Workshop.Cli.Commands;

/// <summary>`workshop hint NN [--reset]`: the next hint, one at a time, remembered per lab.</summary>
internal sealed class HintCommand(Workspace workspace) : LabCommand<HintCommand.Settings>(workspace)
{
    internal sealed class Settings : LabSettings
    {
        [CommandOption("--reset")]
        [Description("Start over from the first hint.")]
        public bool Reset { get; set; }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var lab = Workspace.FindLab(settings.Lab);
        var hints = HintBook.Read(lab);
        if (hints.Count == 0)
        {
            Workspace.Err.Write(RawLine.Error($"{Workspace.Relative(lab.Directory)}/{HintBook.FileName} holds no '## Hint 1' section."));
            return Task.FromResult(ExitCodes.Failed);
        }

        var shown = settings.Reset ? 0 : Math.Clamp(Workspace.Status.Read(lab.Name).HintsShown, 0, hints.Count);
        if (settings.Reset) Workspace.Err.MarkupLineInterpolated($"[dim]Hints of {lab.Name} start over.[/]");

        var last = shown >= hints.Count;
        var hint = last ? hints[^1] : hints[shown];
        if (last)
        {
            Workspace.Out.MarkupLineInterpolated($"That was the last hint ({hints.Count} of {hints.Count}); here it is again.");
        }

        Workspace.Out.Write(HintBook.Render(hint, hints.Count));
        Workspace.Status.Update(lab.Name, s => s.HintsShown = last ? hints.Count : shown + 1);

        Workspace.Out.MarkupLine(last || shown + 1 == hints.Count
            ? $"[dim]No more hints. The reference fix: ./workshop diff {lab.Id}; start over: ./workshop hint {lab.Id} --reset[/]"
            : $"[dim]More: ./workshop hint {lab.Id} · check your fix: ./workshop check {lab.Id}[/]");
        return Task.FromResult(ExitCodes.Ok);
    }
}
