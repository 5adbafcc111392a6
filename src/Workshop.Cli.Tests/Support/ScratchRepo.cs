using Workshop.Cli.Diff;
using Workshop.Toolkit.Repository;

namespace Workshop.Cli.Tests.Support;

/// <summary>A throwaway repository root under the temp folder: hand-made labs, or a copy of parts of the real one.</summary>
internal sealed class ScratchRepo : IDisposable
{
    private ScratchRepo(string root)
    {
        Root = root;
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(State);
        if (!File.Exists(Path.Combine(Root, Repo.MarkerFile))) File.WriteAllText(Path.Combine(Root, Repo.MarkerFile), "");
    }

    public string Root { get; }

    /// <summary>Where status.json goes in tests.</summary>
    public string State => Path.Combine(Root, ".workshop");

    public static string RealRoot => Repo.Root;

    public static ScratchRepo Empty() => new(Path.Combine(Path.GetTempPath(), $"workshop-cli-{Guid.NewGuid():N}"));

    /// <summary>A lab folder with the given files (relative path → content).</summary>
    public string AddLab(string name, IReadOnlyDictionary<string, string> files)
    {
        var dir = Path.Combine(Root, "labs", name);
        foreach (var (path, content) in files) Write(Path.Combine(dir, path), content);
        return dir;
    }

    /// <summary>A lab with Broken, Fixed and Tests projects (empty shells: only a fake spec runner uses them) and hints.</summary>
    public string AddShellLab(string name, string? hints = null)
    {
        var id = name[..2];
        var files = new Dictionary<string, string>
        {
            [$"Broken/Lab{id}.Broken.csproj"] = "<Project />",
            ["Broken/Program.cs"] = "// broken\n",
            [$"Fixed/Lab{id}.Fixed.csproj"] = "<Project />",
            ["Fixed/Program.cs"] = "// fixed\n",
            [$"Tests/Lab{id}.Tests.csproj"] = "<Project />",
        };
        if (hints is not null) files["hints.md"] = hints;
        return AddLab(name, files);
    }

    /// <summary>
    /// A copy of what the real repository needs to build and test <paramref name="lab"/>: the root's build files,
    /// the shared projects, the labs' common build file and the lab itself, without build output.
    /// </summary>
    public static ScratchRepo CopyOfReal(string lab)
    {
        var scratch = Empty();
        var real = RealRoot;
        foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig", Repo.MarkerFile })
        {
            if (File.Exists(Path.Combine(real, file))) File.Copy(Path.Combine(real, file), Path.Combine(scratch.Root, file), overwrite: true);
        }
        foreach (var folder in new[] { "src/Workshop.ServiceKit", "src/Workshop.TestKit", "src/Workshop.Toolkit", "src/Workshop.Downstream", $"labs/{lab}" })
            CopyTree(Path.Combine(real, folder), Path.Combine(scratch.Root, folder));
        Directory.CreateDirectory(Path.Combine(scratch.Root, "labs"));
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets" })
            File.Copy(Path.Combine(real, "labs", file), Path.Combine(scratch.Root, "labs", file), overwrite: true);
        return scratch;
    }

    /// <summary>
    /// Applies the lab's reference fix to its Broken folder as a learner would: Broken's sources are replaced by
    /// Fixed's, under Broken's names (Lab01.Broken.csproj, namespace Lab01.Broken), through the same pairing and
    /// normalisation `workshop diff` shows.
    /// </summary>
    public void ApplyReferenceFix(string lab)
    {
        var info = Labs.Find(Labs.All(Root), lab);
        var broken = Path.GetDirectoryName(info.ProjectFile("Broken"))!;
        var (brokenStem, fixedStem) = (VariantDiff.ProjectStem(info, "Broken"), VariantDiff.ProjectStem(info, "Fixed"));
        foreach (var pair in VariantDiff.Pair(info))
        {
            var target = Path.Combine(broken, pair.Key);
            if (pair.ToFile is null) File.Delete(target);
            else Write(target, VariantDiff.Normalise(File.ReadAllText(pair.ToFile), fixedStem, brokenStem));
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static void Write(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Workshop.Cli.Infrastructure.SourceFingerprint.SourceFiles(from))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
