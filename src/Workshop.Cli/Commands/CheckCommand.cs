using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Check;
using Workshop.Cli.Hints;
using Workshop.Cli.Infrastructure;
using Workshop.Toolkit.Repository;

namespace Workshop.Cli.Commands;

/// <summary>
/// `workshop check NN [--watch]`: learner mode. Runs the lab's spec against Broken, shows each test green or red
/// with its message, the first hint when red, and records the verdict for `list`.
/// </summary>
internal sealed class CheckCommand(Workspace workspace, ISpecRunner runner, WatchTiming timing) : LabCommand<CheckCommand.Settings>(workspace)
{
    internal sealed class Settings : LabSettings
    {
        [CommandOption("-w|--watch")]
        [Description("Run again on every save under the lab's Broken folder, until Ctrl+C.")]
        public bool Watch { get; set; }
    }

    public override ValidationResult Validate(CommandContext context, Settings settings)
    {
        var result = base.Validate(context, settings);
        if (!result.Successful) return result;
        var lab = Workspace.FindLab(settings.Lab);
        return lab.Variants().Contains("Tests") && lab.Variants().Contains("Broken")
            ? ValidationResult.Success()
            : ValidationResult.Error($"Lab {lab.Name} has no Tests and Broken projects to check.");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var lab = Workspace.FindLab(settings.Lab);
        var broken = Path.GetDirectoryName(lab.ProjectFile("Broken"))!;

        // Watch from before the first run, so a save made while it runs is not missed.
        using var watcher = settings.Watch ? new ChangeWatcher(broken, timing.Debounce, timing.PollInterval) : null;
        var code = await CheckOnceAsync(lab, broken, cancellationToken);
        if (watcher is null) return code;

        try
        {
            while (true)
            {
                Workspace.Err.MarkupLineInterpolated(
                    $"[dim]Watching {Workspace.Relative(broken)} ({(watcher.UsesFileEvents ? "file events, and a poll" : "a poll")} every {timing.PollInterval.TotalSeconds:0.#} s); Ctrl+C to stop.[/]");
                await watcher.WaitForChangeAsync(cancellationToken);
                Workspace.Out.Write(new Rule($"[dim]{DateTime.Now:HH:mm:ss} change under {Markup.Escape(Workspace.Relative(broken))}: checking again[/]").LeftJustified());
                code = await CheckOnceAsync(lab, broken, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C is how a watch ends: the answer is the last check's.
            return code;
        }
    }

    private async Task<int> CheckOnceAsync(LabInfo lab, string broken, CancellationToken ct)
    {
        var fingerprint = SourceFingerprint.Of(broken);
        var run = await Workspace.Err.Status().StartAsync($"Building the {lab.Name} spec", async status =>
        {
            var phase = new Phase(p => status.Status(p == "running"
                ? $"Running the {lab.Name} spec against {Workspace.Relative(broken)} (LAB_TARGET=broken)"
                : $"Building the {lab.Name} spec"));
            return await runner.RunAsync(Workspace.Root, lab, phase, ct);
        });

        Render(lab, broken, run);
        Workspace.Status.Update(lab.Name, s =>
        {
            s.Check = new CheckRecord
            {
                Result = run.IsGreen ? "green" : "red",
                Passed = run.Passed,
                Failed = run.Failed,
                Total = run.Tests.Count,
                At = DateTimeOffset.Now,
                Seconds = Math.Round(run.Elapsed.TotalSeconds, 1),
                Note = run.Problem is null ? null : run.Problem.Split('\n')[0],
                BrokenFingerprint = fingerprint,
            };
            if (!run.IsGreen && s.HintsShown < 1) s.HintsShown = 1; // the first hint is shown below
        });
        return run.IsGreen ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private void Render(LabInfo lab, string broken, SpecRun run)
    {
        var output = Workspace.Out;
        // A list rather than a table: test names are long and messages longer, and a table squeezes both into
        // narrow columns in an 80-column terminal or a CI log.
        foreach (var test in run.Tests)
        {
            var seconds = test.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
            output.Write(new RawLine(
                (test.Passed ? "✔ pass  " : "✘ fail  ", new Style(test.Passed ? Color.Green : Color.Red, decoration: Decoration.Bold)),
                (ShortName(test.Name), new Style(decoration: Decoration.Bold)),
                ($"  {seconds} s", new Style(Color.Grey))));
            if (test.Message is { Length: > 0 } message)
                output.Write(new Padder(new Text(message, new Style(Color.Red)), new Padding(8, 0, 0, 1)));
        }

        var elapsed = Timing(run);
        if (run.IsGreen)
        {
            output.MarkupLineInterpolated($"[bold green]GREEN[/]: all {run.Tests.Count} tests pass against {Workspace.Relative(broken)} ({elapsed}).");
            output.MarkupLine($"Compare with the reference fix: [aqua]./workshop diff {lab.Id}[/]; see it under load: [aqua]./workshop replay {lab.Id}[/]");
            return;
        }

        if (run.Problem is not null)
        {
            output.MarkupLineInterpolated($"[bold red]RED[/]: {run.Problem.Split('\n')[0]} ({elapsed})");
            output.Write(new Panel(new Text(string.Join('\n', run.Problem.Split('\n').Skip(1)))).Header("output").BorderColor(Color.Red));
        }
        else
        {
            output.MarkupLineInterpolated(
                $"[bold red]RED[/]: {run.Failed} of {run.Tests.Count} tests fail against {Workspace.Relative(broken)} ({elapsed}). Fix Broken/ until they pass.");
        }

        var hints = HintBook.Read(lab);
        if (hints.Count > 0)
        {
            output.Write(HintBook.Render(hints[0], hints.Count));
            output.MarkupLine($"[dim]Next hint: ./workshop hint {lab.Id} · re-run on every save: ./workshop check {lab.Id} --watch[/]");
        }
    }

    /// <summary>"12.4 s: build 5.1 s, tests 7.3 s": where a learner's wait went.</summary>
    internal static string Timing(SpecRun run)
    {
        static string S(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        return run.Build is { } build
            ? $"{S(run.Elapsed)}: build {S(build)}, tests {S(run.Elapsed - build)}"
            : S(run.Elapsed);
    }

    /// <summary>"RequestLogSpec.Requests_X [broken]" → "RequestLogSpec.Requests_X": every test here runs against Broken.</summary>
    private static string ShortName(string name) => name.EndsWith(" [broken]", StringComparison.Ordinal) ? name[..^" [broken]".Length] : name;

    // Progress<T> would post to the thread pool, after the status line had moved on.
    private sealed class Phase(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
