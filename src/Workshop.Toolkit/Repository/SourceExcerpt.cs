using System.Globalization;
using System.Text;

namespace Workshop.Toolkit.Repository;

/// <summary>
/// Lines of a lab's source for a walkthrough to show, found by markers rather than by line numbers, with their line
/// numbers in front. A marker that is missing is an error naming it: a step that shows code never prints nothing.
/// </summary>
public static class SourceExcerpt
{
    /// <summary>
    /// The lines of <paramref name="file"/> (relative to <paramref name="lab"/>'s folder) from the first line holding
    /// <paramref name="from"/> to the first line after it holding <paramref name="to"/> (both included), or to the end.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidOperationException">A marker is not in the file.</exception>
    public static string Of(LabInfo lab, string file, string from, string? to = null)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return Excerpt(Path.Combine(lab.Directory, file), $"{lab.Name}/{file}", from, to);
    }

    /// <summary>The same, for a file of the repository outside the labs (<c>chapters/00-middleware-pipeline/Service/Layers.cs</c>).</summary>
    public static string OfRepositoryFile(string file, string from, string? to = null) =>
        Excerpt(Path.Combine(Repo.Root, file), file, from, to);

    private static string Excerpt(string path, string name, string from, string? to)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"There is no {name}.", path);
        var lines = File.ReadAllLines(path);
        var start = Array.FindIndex(lines, l => l.Contains(from, StringComparison.Ordinal));
        if (start < 0) throw new InvalidOperationException($"{name} has no line with '{from}': the walkthrough points at code that has changed.");
        var end = to is null ? lines.Length - 1 : Array.FindIndex(lines, start, l => l.Contains(to, StringComparison.Ordinal));
        if (end < 0) throw new InvalidOperationException($"{name} has no line with '{to}' after '{from}': the walkthrough points at code that has changed.");
        var text = new StringBuilder();
        for (var i = start; i <= end; i++) text.Append(CultureInfo.InvariantCulture, $"{i + 1,4}  {lines[i]}").Append('\n');
        return text.ToString();
    }
}
