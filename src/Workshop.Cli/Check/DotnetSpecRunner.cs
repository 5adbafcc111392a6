using System.Diagnostics;
using Workshop.Cli.Infrastructure;
using Workshop.Toolkit;

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
        var project = lab.ProjectFile("Tests");

        phase?.Report("building");
        ProcessResult build;
        using (await BuildLock.AcquireAsync(root, ct).ConfigureAwait(false))
        {
            build = await ProcessRunner.RunAsync(ProcessRunner.Dotnet, ["build", project, "-nologo", "-v", "q", "-clp:NoSummary"], root, ct: ct)
                .ConfigureAwait(false);
        }
        if (build.ExitCode != 0) return new SpecRun([], clock.Elapsed, "the spec did not build:\n" + Errors(build));

        phase?.Report("running");
        var results = Directory.CreateTempSubdirectory("workshop-check-");
        try
        {
            var run = await ProcessRunner.RunAsync(ProcessRunner.Dotnet,
                ["test", project, "--no-build", "--nologo", "--logger", "trx;LogFileName=check.trx", "--results-directory", results.FullName],
                root, new Dictionary<string, string> { ["LAB_TARGET"] = "broken" }, ct).ConfigureAwait(false);
            var trx = Path.Combine(results.FullName, "check.trx");
            if (!File.Exists(trx))
            {
                return new SpecRun([], clock.Elapsed,
                    $"dotnet test wrote no results (exit code {run.ExitCode}):\n" + string.Join('\n', run.Lines.Where(l => l.Length > 0).TakeLast(15)));
            }
            return new SpecRun(TrxReport.Parse(await File.ReadAllTextAsync(trx, ct).ConfigureAwait(false)), clock.Elapsed);
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }

    /// <summary>The compiler's error lines, each once (MSBuild prints them per project and again in the summary).</summary>
    private static string Errors(ProcessResult build)
    {
        var errors = build.Lines.Where(l => l.Contains(": error ", StringComparison.Ordinal)).Select(l => l.Trim()).Distinct().Take(20).ToList();
        return string.Join('\n', errors.Count > 0 ? errors : build.Lines.Where(l => l.Length > 0).TakeLast(15));
    }
}
