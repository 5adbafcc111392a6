using System.ComponentModel;
using Workshop.Cli.Infrastructure;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Repository;

namespace Workshop.Cli.Diff;

/// <summary>
/// A lab's Broken folder as git has it at HEAD, written to a temporary folder: what the learner started from, whatever
/// they have changed since. Null when the repository is not a git work tree (a downloaded archive) or git is missing.
/// </summary>
internal sealed class OriginalBroken : IDisposable
{
    private OriginalBroken(string directory) => Directory = directory;

    /// <summary>The folder holding the committed Broken/ files, under their own relative paths.</summary>
    public string Directory { get; }

    public static async Task<OriginalBroken?> FromGitAsync(string root, LabInfo lab, CancellationToken ct)
    {
        var broken = Path.GetDirectoryName(lab.ProjectFile("Broken"))!;
        var relative = Path.GetRelativePath(root, broken).Replace('\\', '/');
        ProcessResult list;
        try
        {
            list = await ProcessRunner.RunAsync("git", ["-C", root, "ls-tree", "-r", "--name-only", "HEAD", "--", relative + "/"], root, ct: ct);
        }
        catch (Win32Exception)
        {
            return null; // no git on this machine
        }
        var files = list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.ExitCode != 0 || files.Length == 0) return null;

        var snapshot = new OriginalBroken(System.IO.Directory.CreateTempSubdirectory("workshop-broken-").FullName);
        foreach (var file in files)
        {
            var show = await ProcessRunner.RunAsync("git", ["-C", root, "show", $"HEAD:{file}"], root, ct: ct);
            if (show.ExitCode != 0) continue;
            var target = Path.Combine(snapshot.Directory, Path.GetRelativePath(relative, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllTextAsync(target, show.StandardOutput, ct);
        }
        return snapshot;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
