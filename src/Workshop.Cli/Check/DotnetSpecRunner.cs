using System.Diagnostics;
using Workshop.Cli.Infrastructure;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Repository;

namespace Workshop.Cli.Check;

/// <summary>
/// The learner's command, `LAB_TARGET=broken dotnet test labs/NN-name/Tests`, in two steps: a build under the
/// workshop's build lock (a failed build is its own answer), then the tests with a TRX logger, whose file is read.
/// </summary>
internal sealed class DotnetSpecRunner : ISpecRunner
{
    public async Task<SpecRun> RunAsync(string root, LabInfo lab, IProgress<string>? phase, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var tests = lab.ProjectFile("Tests");

        phase?.Report("building");
        ProcessResult build;
        var restore = NeedsRestore(root, lab);
        using (await BuildLock.AcquireAsync(root, ct).ConfigureAwait(false))
        {
            if (restore || !File.Exists(SpecAssembly(lab)) || SpecChanged(lab))
            {
                // The first check (or one after a project file or the spec changed): the spec with everything it
                // references, Fixed included, restoring first when a project file or shared props changed (a
                // learner's fix may add a package, as the reference fix of lab 01 does).
                build = await BuildAsync(root, tests, restore ? [] : ["--no-restore"], ct).ConfigureAwait(false);
            }
            else
            {
                // A learner's loop: only Broken changed, so build Broken and hand its new assembly to the spec, which is
                // all a build of the spec would do (about 2 s of MSBuild); Fixed is left as it is.
                build = await BuildAsync(root, lab.ProjectFile("Broken"), ["--no-restore"], ct).ConfigureAwait(false);
                if (build.ExitCode == 0 && !CopyToSpec(lab, "Broken"))
                    build = await BuildAsync(root, tests, ["--no-restore", "--no-dependencies"], ct).ConfigureAwait(false);
            }
        }
        var built = clock.Elapsed;
        if (build.ExitCode != 0) return new SpecRun([], clock.Elapsed, "the spec did not build:\n" + Errors(build), built);
        if (restore) await File.WriteAllTextAsync(RestoreStamp(lab), $"restored by workshop check at {DateTimeOffset.UtcNow:O}\n", ct).ConfigureAwait(false);

        phase?.Report("running");
        var results = Directory.CreateTempSubdirectory("workshop-check-");
        try
        {
            // The built assembly, not the project: MSBuild has nothing left to do, and evaluating the project again would
            // cost a learner seconds on every save.
            var run = await ProcessRunner.RunAsync(ProcessRunner.Dotnet,
                ["test", SpecAssembly(lab), "--nologo", "--logger", "trx;LogFileName=check.trx", "--results-directory", results.FullName],
                root, new Dictionary<string, string> { [LabMode] = "broken" }, ct).ConfigureAwait(false);
            var trx = Path.Combine(results.FullName, "check.trx");
            if (!File.Exists(trx))
            {
                return new SpecRun([], clock.Elapsed,
                    $"dotnet test wrote no results (exit code {run.ExitCode}):\n" + string.Join('\n', run.Lines.Where(l => l.Length > 0).TakeLast(15)), built);
            }
            return new SpecRun(TrxReport.Parse(await File.ReadAllTextAsync(trx, ct).ConfigureAwait(false)), clock.Elapsed, Build: built);
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }

    // LAB_TARGET=broken for the build too: the spec is then built without the lab's alternatives, which compile Broken's
    // sources as the learner is changing them (labs/Directory.Build.targets).
    private static Task<ProcessResult> BuildAsync(string root, string project, string[] options, CancellationToken ct) =>
        ProcessRunner.RunAsync(ProcessRunner.Dotnet, ["build", project, "-nologo", "-v", "q", "-clp:NoSummary", .. options], root,
            new Dictionary<string, string> { [LabMode] = "broken" }, ct);

    private const string LabMode = "LAB_TARGET";

    /// <summary>True when a source of the spec is newer than its built assembly (a pull, or a spec edited by hand).</summary>
    private static bool SpecChanged(LabInfo lab)
    {
        var tests = Path.GetDirectoryName(lab.ProjectFile("Tests"))!;
        var built = File.GetLastWriteTimeUtc(SpecAssembly(lab));
        return Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Any(f => File.GetLastWriteTimeUtc(f) > built);
    }

    /// <summary>
    /// Copies a variant's freshly built assembly (and its symbols) over the copy in the spec's output, as the spec's own
    /// build would; false when the spec's output holds no copy to replace, and the spec must be built.
    /// </summary>
    private static bool CopyToSpec(LabInfo lab, string variant)
    {
        var project = lab.ProjectFile(variant);
        var name = Path.GetFileNameWithoutExtension(project);
        var output = Path.Combine(Path.GetDirectoryName(project)!, "bin", "Debug", "net10.0");
        var spec = Path.GetDirectoryName(SpecAssembly(lab))!;
        if (!File.Exists(Path.Combine(spec, name + ".dll")) || !File.Exists(Path.Combine(output, name + ".dll"))) return false;
        foreach (var extension in new[] { ".dll", ".pdb" })
        {
            var built = Path.Combine(output, name + extension);
            if (File.Exists(built)) File.Copy(built, Path.Combine(spec, name + extension), overwrite: true);
        }
        return true;
    }

    /// <summary>The spec's assembly in its Debug output, which `dotnet test` runs.</summary>
    private static string SpecAssembly(LabInfo lab)
    {
        var tests = lab.ProjectFile("Tests");
        return Path.Combine(Path.GetDirectoryName(tests)!, "bin", "Debug", "net10.0", Path.GetFileNameWithoutExtension(tests) + ".dll");
    }

    /// <summary>
    /// True unless this command restored the lab since its project files and the repository's props last changed (a
    /// learner's fix may add a package, as the reference fix of lab 01 does). NuGet leaves its own files untouched when a
    /// restore changes nothing, so the command keeps a stamp of its own beside the spec's build output.
    /// </summary>
    internal static bool NeedsRestore(string root, LabInfo lab)
    {
        var projects = lab.Variants().Select(lab.ProjectFile).ToList();
        if (projects.Any(p => !File.Exists(Path.Combine(Path.GetDirectoryName(p)!, "obj", "project.assets.json")))) return true;
        var stamp = RestoreStamp(lab);
        if (!File.Exists(stamp)) return true;
        var inputs = projects.Concat(new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", Path.Combine("labs", "Directory.Build.props"), Path.Combine("labs", "Directory.Build.targets") }
            .Select(f => Path.Combine(root, f)).Where(File.Exists));
        return inputs.Max(File.GetLastWriteTimeUtc) >= File.GetLastWriteTimeUtc(stamp);
    }

    private static string RestoreStamp(LabInfo lab) => Path.Combine(lab.Directory, "Tests", "obj", "workshop-check.restored");

    /// <summary>The compiler's error lines, each once (MSBuild prints them per project and again in the summary).</summary>
    private static string Errors(ProcessResult build)
    {
        var errors = build.Lines.Where(l => l.Contains(": error ", StringComparison.Ordinal)).Select(l => l.Trim()).Distinct().Take(20).ToList();
        return string.Join('\n', errors.Count > 0 ? errors : build.Lines.Where(l => l.Length > 0).TakeLast(15));
    }
}
