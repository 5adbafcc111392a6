using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Diff;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Localization;

namespace Workshop.Cli.Commands;

/// <summary>
/// `workshop diff NN [--mine]`: the reference fix as a coloured unified diff of the Broken/ that git holds (what the
/// learner started from, whatever they changed since) against Fixed/; with --mine, the learner's own change: that
/// same Broken/ against the one in the work tree.
/// </summary>
internal sealed class DiffCommand(Workspace workspace) : LabCommand<DiffCommand.Settings>(workspace)
{
    internal sealed class Settings : LabSettings
    {
        [CommandOption("--mine")]
        [TextDescription("Help.Diff.Mine")]
        public bool Mine { get; set; }
    }

    private static readonly Style Header = new(decoration: Decoration.Bold);
    private static readonly Style HunkHeader = new(Color.Aqua);
    private static readonly Style Added = new(Color.Green);
    private static readonly Style Removed = new(Color.Red);

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var lab = Workspace.FindLab(settings.Lab);
        IReadOnlyList<FileDiff> diffs;
        using var original = await OriginalBroken.FromGitAsync(Workspace.Root, lab, cancellationToken);
        try
        {
            var yours = VariantDiff.Side.Of(lab, "Broken");
            var start = original is null ? yours : yours with { Directory = original.Directory };
            diffs = settings.Mine
                ? VariantDiff.Compare(start, yours with { Label = "Broken (yours)" })
                : VariantDiff.Compare(start, VariantDiff.Side.Of(lab, "Fixed"));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(Messages.Of(e)); // a lab without a Fixed variant
        }
        if (original is null)
        {
            Workspace.Err.MarkupLine(settings.Mine
                ? "[yellow]This copy is not a git work tree, so there is no original Broken/ to compare yours with.[/]"
                : "[yellow]This copy is not a git work tree: the diff starts from Broken/ as it is now, your changes included.[/]");
            if (settings.Mine) return ExitCodes.Failed;
        }

        var root = Workspace.Relative(lab.Directory);
        foreach (var diff in diffs)
        {
            Workspace.Out.Write(new RawLine($"--- {Prefixed(root, diff.FromPath)}", Header));
            Workspace.Out.Write(new RawLine($"+++ {Prefixed(root, diff.ToPath)}", Header));
            foreach (var line in diff.Hunks)
            {
                Style? style = line.StartsWith("@@", StringComparison.Ordinal) ? HunkHeader
                    : line.StartsWith('+') ? Added
                    : line.StartsWith('-') ? Removed
                    : (Style?)null;
                Workspace.Out.Write(new RawLine(line, style));
            }
        }

        Workspace.Err.MarkupLine(settings.Mine
            ? $"[dim]Your change to Broken/ since HEAD: {diffs.Count} file(s) changed, {diffs.Sum(d => d.Added)} insertion(s)(+), {diffs.Sum(d => d.Removed)} deletion(s)(-).[/]"
            : $"[dim]The reference fix, from Broken/ as committed: {diffs.Count} file(s) changed, {diffs.Sum(d => d.Added)} insertion(s)(+), {diffs.Sum(d => d.Removed)} deletion(s)(-); names normalised: {VariantDiff.ProjectStem(lab, "Fixed")} shown as {VariantDiff.ProjectStem(lab, "Broken")}.[/]");
        return ExitCodes.Ok;
    }

    private static string Prefixed(string root, string path) => path == "/dev/null" ? path : $"{root}/{path}";
}
