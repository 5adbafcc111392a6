using Spectre.Console;
using Workshop.Toolkit.Repository;

namespace Workshop.Cli.Infrastructure;

/// <summary>
/// What every command works on: the repository root (the real one, or a scratch copy in tests), where the
/// learner's state lives (<c>.workshop/</c> at the root unless a test says otherwise), and the two consoles.
/// <see cref="Out"/> carries results (tables, diffs, JSON); <see cref="Err"/> carries progress, notes and errors,
/// so a result piped into another program stays clean.
/// </summary>
internal sealed class Workspace(string root, IAnsiConsole @out, IAnsiConsole err, string? stateDirectory = null)
{
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The git-ignored folder of status.json.</summary>
    public string StateDirectory { get; } = Path.GetFullPath(stateDirectory ?? Path.Combine(root, ".workshop"));

    public IAnsiConsole Out { get; } = @out;

    public IAnsiConsole Err { get; } = err;

    public StatusStore Status => new(Path.Combine(StateDirectory, "status.json"));

    public IReadOnlyList<LabInfo> Labs() => Toolkit.Repository.Labs.All(Root);

    /// <summary>The lab named by "01", "1" or "01-logging-blocking".</summary>
    /// <exception cref="UsageException">No such lab; the message lists the known ones.</exception>
    public LabInfo FindLab(string lab)
    {
        try
        {
            return Toolkit.Repository.Labs.Find(Labs(), lab);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(Messages.Of(e));
        }
    }

    /// <summary>A path as the user would type it from the repository root.</summary>
    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');
}

internal static class Messages
{
    /// <summary>An exception's message without the " (Parameter 'x')" that ArgumentException appends.</summary>
    public static string Of(Exception e) =>
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
}
