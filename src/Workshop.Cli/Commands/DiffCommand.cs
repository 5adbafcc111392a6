using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Diff;
using Workshop.Cli.Infrastructure;

namespace Workshop.Cli.Commands;

/// <summary>`workshop diff NN`: the reference fix as a coloured unified diff of Broken against Fixed.</summary>
internal sealed class DiffCommand(Workspace workspace) : LabCommand<LabSettings>(workspace)
{
    private static readonly Style Header = new(decoration: Decoration.Bold);
    private static readonly Style HunkHeader = new(Color.Aqua);
    private static readonly Style Added = new(Color.Green);
    private static readonly Style Removed = new(Color.Red);

    public override Task<int> ExecuteAsync(CommandContext context, LabSettings settings, CancellationToken cancellationToken)
    {
        var lab = Workspace.FindLab(settings.Lab);
        IReadOnlyList<FileDiff> diffs;
        try
        {
            diffs = VariantDiff.Compare(lab);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(Messages.Of(e)); // a lab without a Fixed variant
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

        Workspace.Err.MarkupLineInterpolated(
            $"[dim]{diffs.Count} file(s) changed, {diffs.Sum(d => d.Added)} insertion(s)(+), {diffs.Sum(d => d.Removed)} deletion(s)(-); names normalised: {VariantDiff.ProjectStem(lab, "Fixed")} shown as {VariantDiff.ProjectStem(lab, "Broken")}.[/]");
        return Task.FromResult(ExitCodes.Ok);
    }

    private static string Prefixed(string root, string path) => path == "/dev/null" ? path : $"{root}/{path}";
}
