namespace Workshop.Toolkit.Repository;

/// <summary>Locates the workshop repository, so notebooks and the CLI work from any folder inside it.</summary>
public static class Repo
{
    /// <summary>The file that marks the repository root.</summary>
    public const string MarkerFile = "Workshop.sln";

    /// <summary>Environment variable that names the root explicitly, for runs from outside the tree.</summary>
    public const string RootVariable = "WORKSHOP_ROOT";

    /// <summary>
    /// The repository root: <c>WORKSHOP_ROOT</c> if set, else the nearest folder holding <c>Workshop.sln</c>
    /// walking up from the current directory, then from the application's base directory (a notebook kernel's
    /// current directory is the notebook's folder; a test host's is its bin folder, which the second walk covers).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No root could be found.</exception>
    public static string Root =>
        Find(Environment.GetEnvironmentVariable(RootVariable), Directory.GetCurrentDirectory(), AppContext.BaseDirectory);

    internal static string Find(string? overrideRoot, params string[] startPoints)
    {
        if (!string.IsNullOrWhiteSpace(overrideRoot))
        {
            var root = Path.GetFullPath(overrideRoot);
            return File.Exists(Path.Combine(root, MarkerFile))
                ? root
                : throw new DirectoryNotFoundException($"{RootVariable} is '{overrideRoot}', which holds no {MarkerFile}.");
        }

        foreach (var start in startPoints)
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, MarkerFile))) return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            $"Found no {MarkerFile} above {string.Join(" or ", startPoints)}. Run from inside the repository or set {RootVariable}.");
    }
}
