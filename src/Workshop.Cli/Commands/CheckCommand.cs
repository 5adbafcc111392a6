using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Check;
using Workshop.Cli.Hints;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Localization;
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
        [TextDescription("Help.Check.Watch")]
        public bool Watch { get; set; }
    }

    public override ValidationResult Validate(CommandContext context, Settings settings)
    {
        var result = base.Validate(context, settings);
        if (!result.Successful) return result;
        var lab = Workspace.FindLab(settings.Lab);
        return lab.Variants().Contains("Tests") && lab.Variants().Contains("Broken")
            ? ValidationResult.Success()
            : ValidationResult.Error(Texts.Get("Check.NoProjects", lab.Name));
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
                Workspace.Err.MarkupLine(Texts.Get("Check.Watching", Markup.Escape(Workspace.Relative(broken)),
                    Texts.Get(watcher.UsesFileEvents ? "Check.WatchEvents" : "Check.WatchPoll"), timing.PollInterval.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)));
                await watcher.WaitForChangeAsync(cancellationToken);
                Workspace.Out.Write(new Rule(Texts.Get("Check.Again", DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture), Markup.Escape(Workspace.Relative(broken)))).LeftJustified());
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
        var run = await Workspace.Err.Status().StartAsync(Texts.Get("Check.Building", lab.Name), async status =>
        {
            var phase = new Phase(p => status.Status(p == "running"
                ? Texts.Get("Check.Running", lab.Name, Workspace.Relative(broken))
                : Texts.Get("Check.Building", lab.Name)));
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
                (Texts.Get(test.Passed ? "Check.Pass" : "Check.Fail"), new Style(test.Passed ? Color.Green : Color.Red, decoration: Decoration.Bold)),
                (ShortName(test.Name), new Style(decoration: Decoration.Bold)),
                ($"  {seconds} s", new Style(Color.Grey))));
            if (test.Message is { Length: > 0 } message)
                output.Write(new Padder(new Text(message, new Style(Color.Red)), new Padding(8, 0, 0, 1)));
        }

        var elapsed = Timing(run);
        if (run.IsGreen)
        {
            output.MarkupLine(Texts.Get("Check.Green", run.Tests.Count, Markup.Escape(Workspace.Relative(broken)), Markup.Escape(elapsed)));
            output.MarkupLine(Texts.Get("Check.Compare", lab.Id));
            return;
        }

        if (run.Problem is not null)
        {
            output.MarkupLine(Texts.Get("Check.RedProblem", Markup.Escape(run.Problem.Split('\n')[0]), Markup.Escape(elapsed)));
            output.Write(new Panel(new Text(string.Join('\n', run.Problem.Split('\n').Skip(1)))).Header(Texts.Get("Check.Output")).BorderColor(Color.Red));
        }
        else
        {
            output.MarkupLine(Texts.Get("Check.Red", run.Failed, run.Tests.Count, Markup.Escape(Workspace.Relative(broken)), Markup.Escape(elapsed)));
        }

        var hints = HintBook.Read(lab);
        if (hints.Count > 0)
        {
            output.Write(HintBook.Render(hints[0], hints.Count, output.Profile.Width));
            output.MarkupLine(Texts.Get("Check.NextHint", lab.Id));
        }
    }

    /// <summary>"12.4 s: build 5.1 s, tests 7.3 s": where a learner's wait went.</summary>
    internal static string Timing(SpecRun run)
    {
        static string S(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        return run.Build is { } build
            ? Texts.Get("Check.Timing", S(run.Elapsed), S(build), S(run.Elapsed - build))
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
