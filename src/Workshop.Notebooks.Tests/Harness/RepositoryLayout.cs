using Workshop.Toolkit.Repository;

namespace Workshop.Notebooks.Tests.Harness;

/// <summary>Where the repository and its notebooks are; the root is the toolkit's <see cref="Repo"/> (its source is compiled in).</summary>
public static class RepositoryLayout
{
    public const string NotebooksFolderName = "notebooks";

    /// <summary>The folder holding Workshop.sln (WORKSHOP_ROOT overrides).</summary>
    public static string Root => Repo.Root;

    public static string NotebooksDirectory => Path.Combine(Root, NotebooksFolderName);

    /// <summary>The file names of notebooks/*.ipynb, sorted ordinally; empty when the folder is missing.</summary>
    public static IReadOnlyList<string> NotebookFileNames(string notebooksDirectory)
    {
        if (!Directory.Exists(notebooksDirectory))
        {
            return [];
        }

        return Directory.EnumerateFiles(notebooksDirectory, "*.ipynb", SearchOption.TopDirectoryOnly)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
