using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Hints;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Localization;

namespace Workshop.Cli.Commands;

/// <summary>`workshop hint NN [--reset]`: the next hint, one at a time, remembered per lab.</summary>
internal sealed class HintCommand(Workspace workspace) : LabCommand<HintCommand.Settings>(workspace)
{
    internal sealed class Settings : LabSettings
    {
        [CommandOption("--reset")]
        [TextDescription("Help.Hint.Reset")]
        public bool Reset { get; set; }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var lab = Workspace.FindLab(settings.Lab);
        var hints = HintBook.Read(lab);
        if (hints.Count == 0)
        {
            Workspace.Err.Write(RawLine.Error(Texts.Get("Hint.None", Workspace.Relative(lab.Directory), HintBook.FileOf(lab))));
            return Task.FromResult(ExitCodes.Failed);
        }

        var shown = settings.Reset ? 0 : Math.Clamp(Workspace.Status.Read(lab.Name).HintsShown, 0, hints.Count);
        if (settings.Reset) Workspace.Err.MarkupLine(Texts.Get("Hint.StartOver", Markup.Escape(lab.Name)));

        var last = shown >= hints.Count;
        var hint = last ? hints[^1] : hints[shown];
        if (last)
        {
            Workspace.Out.MarkupLine(Texts.Get("Hint.LastAgain", hints.Count));
        }

        Workspace.Out.Write(HintBook.Render(hint, hints.Count, Workspace.Out.Profile.Width));
        Workspace.Status.Update(lab.Name, s => s.HintsShown = last ? hints.Count : shown + 1);

        Workspace.Out.MarkupLine(last || shown + 1 == hints.Count ? Texts.Get("Hint.NoMore", lab.Id) : Texts.Get("Hint.More", lab.Id));
        return Task.FromResult(ExitCodes.Ok);
    }
}
