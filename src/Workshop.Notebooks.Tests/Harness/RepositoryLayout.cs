namespace Workshop.Notebooks.Tests.Harness;

/// <summary>Where the repository and its notebooks are.</summary>
public static class RepositoryLayout
{
    public const string RootVariable = "WORKSHOP_ROOT";
    public const string SolutionFileName = "Workshop.sln";
    public const string NotebooksFolderName = "notebooks";

    private static readonly Lazy<string> LazyRoot = new(() => FindRoot(Environment.GetEnvironmentVariable(RootVariable), AppContext.BaseDirectory));

    /// <summary>The folder holding Workshop.sln (WORKSHOP_ROOT overrides).</summary>
    public static string Root => LazyRoot.Value;

    public static string NotebooksDirectory => Path.Combine(Root, NotebooksFolderName);

    /// <summary>
    /// <paramref name="overrideRoot"/> when given, else the first folder at or above
    /// <paramref name="startDirectory"/> that holds Workshop.sln.
    /// </summary>
    public static string FindRoot(string? overrideRoot, string startDirectory)
    {
        if (!string.IsNullOrWhiteSpace(overrideRoot))
        {
            var root = Path.GetFullPath(overrideRoot);
            return Directory.Exists(root)
                ? root
                : throw new DirectoryNotFoundException($"{RootVariable}='{overrideRoot}' is not a folder.");
        }

        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            $"No folder at or above '{startDirectory}' holds {SolutionFileName}; set {RootVariable} to the repository root.");
    }

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
