using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Workshop.Cli.Infrastructure;

/// <summary>
/// A hash of a source tree's file names, sizes and write times (bin/ and obj/ left out): it changes on every save,
/// costs a directory walk rather than reading files, and works where file-change events never arrive.
/// </summary>
internal static class SourceFingerprint
{
    public static string Of(string directory)
    {
        var text = new StringBuilder();
        foreach (var file in SourceFiles(directory).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            if (!info.Exists) continue; // deleted during the walk: the next walk sees it gone
            text.Append(Path.GetRelativePath(directory, file)).Append('|')
                .Append(info.Length.ToString(CultureInfo.InvariantCulture)).Append('|')
                .Append(info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Every file under <paramref name="directory"/> outside build output folders.</summary>
    public static IEnumerable<string> SourceFiles(string directory)
    {
        if (!Directory.Exists(directory)) yield break;
        var pending = new Stack<string>([directory]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            string[] files, dirs;
            try
            {
                files = Directory.GetFiles(dir);
                dirs = Directory.GetDirectories(dir);
            }
            catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var file in files) yield return file;
            foreach (var sub in dirs.Where(d => !IsBuildOutput(d))) pending.Push(sub);
        }
    }

    /// <summary>True for bin/ and obj/ folders, whose changes are the build's, never the learner's.</summary>
    public static bool IsBuildOutput(string directory) =>
        Path.GetFileName(directory) is "bin" or "obj";

    /// <summary>True when <paramref name="path"/>, relative to <paramref name="root"/>, lies inside bin/ or obj/.</summary>
    public static bool IsInBuildOutput(string root, string path) =>
        Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)
            .SkipLast(1).Any(part => part is "bin" or "obj");
}
