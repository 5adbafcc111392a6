using System.Text.RegularExpressions;
using DiffPlex;
using DiffPlex.Renderer;
using Workshop.Toolkit.Repository;

namespace Workshop.Cli.Diff;

/// <summary>How a file differs between two variants.</summary>
internal enum FileChange
{
    Modified,
    Added,
    Removed,
}

/// <summary>One file of the fix: its unified-diff hunks (no headers) and its counts.</summary>
internal sealed record FileDiff(string FromPath, string ToPath, FileChange Change, IReadOnlyList<string> Hunks, int Added, int Removed);

/// <summary>A file of one variant and, under the name it would have in the other, its counterpart.</summary>
internal sealed record FilePair(string Key, string? FromFile, string? ToFile);

/// <summary>
/// Broken against Fixed as the learner would apply it. The variants differ in names that are not the fix: the
/// project file (Lab01.Broken.csproj, Lab01.Fixed.csproj) and the marker namespace (Lab01.Broken, Lab01.Fixed).
/// The second variant's names are rewritten to the first's before comparing, so only the fix shows. Build
/// output (bin/, obj/) is never compared.
/// </summary>
internal static class VariantDiff
{
    private const int ContextLines = 3;

    /// <summary>The name that sets a variant's project apart, e.g. "Lab01.Broken" (its project file's name).</summary>
    public static string ProjectStem(LabInfo lab, string variant) => Path.GetFileNameWithoutExtension(lab.ProjectFile(variant));

    /// <summary>Rewrites <paramref name="toStem"/> (Lab01.Fixed) as <paramref name="fromStem"/> (Lab01.Broken), whole names only.</summary>
    public static string Normalise(string text, string toStem, string fromStem) =>
        Regex.Replace(text, $@"(?<![\w]){Regex.Escape(toStem)}(?![\w])", fromStem);

    /// <summary>
    /// Every source file of either variant, paired by relative path once the second variant's names are normalised
    /// (Fixed/Lab01.Fixed.csproj pairs with Broken/Lab01.Broken.csproj).
    /// </summary>
    public static IReadOnlyList<FilePair> Pair(LabInfo lab, string from = "Broken", string to = "Fixed") =>
        Pair(Side.Of(lab, from), Side.Of(lab, to));

    /// <summary>Every source file of two folders, paired as <see cref="Pair(LabInfo, string, string)"/> does.</summary>
    public static IReadOnlyList<FilePair> Pair(Side from, Side to)
    {
        var fromFiles = Infrastructure.SourceFingerprint.SourceFiles(from.Directory)
            .ToDictionary(f => Key(from.Directory, f), f => f, StringComparer.Ordinal);
        var toFiles = Infrastructure.SourceFingerprint.SourceFiles(to.Directory)
            .ToDictionary(f => Normalise(Key(to.Directory, f), to.Stem, from.Stem), f => f, StringComparer.Ordinal);
        return fromFiles.Keys.Union(toFiles.Keys).Order(StringComparer.Ordinal)
            .Select(key => new FilePair(key, fromFiles.GetValueOrDefault(key), toFiles.GetValueOrDefault(key)))
            .ToList();
    }

    /// <summary>The files that differ between two variants of a lab, with their hunks.</summary>
    public static IReadOnlyList<FileDiff> Compare(LabInfo lab, string from = "Broken", string to = "Fixed") =>
        Compare(Side.Of(lab, from), Side.Of(lab, to));

    /// <summary>The files that differ between two folders (a variant, or the Broken/ that git holds), with their hunks.</summary>
    public static IReadOnlyList<FileDiff> Compare(Side from, Side to)
    {
        var renderer = new UnidiffRenderer(Differ.Instance, ContextLines);
        var diffs = new List<FileDiff>();
        foreach (var pair in Pair(from, to))
        {
            var before = pair.FromFile is null ? "" : File.ReadAllText(pair.FromFile);
            var after = pair.ToFile is null ? "" : Normalise(File.ReadAllText(pair.ToFile), to.Stem, from.Stem);
            if (before == after) continue;

            var unified = renderer.Generate(before, after, "a", "b", ignoreWhitespace: false, ignoreCase: false);
            var hunks = unified.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n')
                .SkipWhile(l => !l.StartsWith("@@", StringComparison.Ordinal))
                .ToList();
            var change = pair.FromFile is null ? FileChange.Added : pair.ToFile is null ? FileChange.Removed : FileChange.Modified;
            // An empty side starts at line 0 in a unified diff ("@@ -0,0 +1,N @@"), which patch(1) expects.
            if (change == FileChange.Added && hunks.Count > 0) hunks[0] = hunks[0].Replace("@@ -1,0 ", "@@ -0,0 ", StringComparison.Ordinal);
            if (change == FileChange.Removed && hunks.Count > 0) hunks[0] = hunks[0].Replace(" +1,0 @@", " +0,0 @@", StringComparison.Ordinal);
            diffs.Add(new FileDiff(
                pair.FromFile is null ? "/dev/null" : $"{from.Label}/{pair.Key}",
                pair.ToFile is null ? "/dev/null" : $"{to.Label}/{Key(to.Directory, pair.ToFile)}",
                change,
                hunks,
                hunks.Count(l => l.StartsWith('+')),
                hunks.Count(l => l.StartsWith('-'))));
        }
        return diffs;
    }

    /// <summary>One side of a diff: the folder to read, the name it is shown under, and the project stem to normalise.</summary>
    internal sealed record Side(string Label, string Directory, string Stem)
    {
        public static Side Of(LabInfo lab, string variant) =>
            new(variant, System.IO.Path.GetDirectoryName(lab.ProjectFile(variant))!, ProjectStem(lab, variant));
    }

    private static string Key(string root, string file) => Path.GetRelativePath(root, file).Replace('\\', '/');
}
