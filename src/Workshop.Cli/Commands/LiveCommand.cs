using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Localization;
using Workshop.Cli.Live;
using Workshop.Cli.Replay;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Replay;

namespace Workshop.Cli.Commands;

/// <summary>
/// `workshop live NN`: Broken and Fixed at the same time under the same steady load, drawn side by side on the live
/// page with the lab's incident knobs as switches, the incident off. The instructor turns a knob on the page (the disk
/// slows, the provider hangs) and both running services take it within a second, without a restart; the room watches
/// one collapse while the other holds. A line a few seconds on stderr says the same for a terminal.
/// </summary>
internal sealed class LiveCommand(Workspace workspace) : AsyncCommand<LiveCommand.Settings>
{
    /// <summary>How often the terminal gets a line of both variants' figures.</summary>
    private static readonly TimeSpan TerminalLine = TimeSpan.FromSeconds(5);

    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<LAB>")]
        [TextDescription("Help.Live.Lab")]
        public string Lab { get; set; } = "";

        [CommandOption("-m|--minutes <MINUTES>")]
        [TextDescription("Help.Live.Minutes")]
        public int Minutes { get; set; } = 60;

        [CommandOption("--live-port <PORT>")]
        [TextDescription("Help.Live.LivePort")]
        public int LivePort { get; set; }

        [CommandOption("--no-browser")]
        [TextDescription("Help.Live.NoBrowser")]
        public bool NoBrowser { get; set; }

        public override ValidationResult Validate() =>
            LivePort is < 0 or > 65535 ? ValidationResult.Error($"--live-port must be from 0 to 65535, not {LivePort}.") :
            Minutes is < 1 or > 480 ? ValidationResult.Error($"--minutes must be from 1 to 480, not {Minutes}.") :
            ValidationResult.Success();
    }

    public override ValidationResult Validate(CommandContext context, Settings settings)
    {
        try
        {
            var lab = workspace.FindLab(settings.Lab);
            return Toolkit.Replay.Scenarios.HasReplay(lab)
                ? ValidationResult.Success()
                : ValidationResult.Error($"Lab {lab.Name} has no replay, so no live mode (no project in labs/{lab.Name}/Replay/).");
        }
        catch (UsageException e)
        {
            return ValidationResult.Error(e.Message);
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var scenario = await Toolkit.Replay.Scenarios.LoadAsync(workspace.FindLab(settings.Lab), cancellationToken);
        if (scenario.Live is null)
        {
            var with = await LiveSession.LabsWithLiveModeAsync(cancellationToken);
            throw new UsageException(Texts.Get("Live.NoLiveMode", scenario.Lab, with.Count == 0 ? Texts.Get("Doctor.None") : string.Join(", ", with), scenario.Id));
        }

        await using var live = await LiveDashboard.StartAsync(settings.LivePort, cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, live.StopRequested);
        var mode = scenario.Live;
        var words = new ScenarioWords(scenario);
        workspace.Err.MarkupLine(Texts.Get("Live.Starting", Markup.Escape(scenario.Lab), Markup.Escape(words.Title), Markup.Escape(words.Live("live:load", mode.Load))));
        if (mode.OneAtATimeBecause is { } why)
            workspace.Err.MarkupLine(Texts.Get("Live.OneAtATime", mode.TurnLength.TotalSeconds.ToString("N0", CultureInfo.InvariantCulture), Markup.Escape(words.Live("live:because", why))));
        live.LabStarting(scenario, words, 1, 1, 1, Texts.Get("Live.Conditions"), live: true);

        LiveSession session;
        try
        {
            session = await LiveSession.StartAsync(scenario, live, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            live.End("stopped", Texts.Get("Live.StoppedEarly"));
            return cancellationToken.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Ok;
        }

        await using (session)
        {
            live.LiveStarting(session, words);
            var opened = !settings.NoBrowser && BrowserLauncher.TryOpen(live.Address);
            workspace.Err.MarkupLine(Texts.Get("Live.Page", Markup.Escape(live.Address.ToString()), Texts.Get(opened ? "Live.Opened" : "Live.OpenIt")));
            foreach (var knob in mode.Knobs)
            {
                workspace.Err.MarkupLine("[dim]" + Markup.Escape(Texts.Get("Live.Knob", knob.Name, words.Live($"knob:{knob.Name}", knob.Label), knob.Target.ToString().ToLowerInvariant(),
                    string.Join(" / ", knob.Settings.Select(s => words.Live($"knob:{knob.Name}={s.Value}", s.Label)).Select((label, i) => knob.Settings[i].Value == knob.Initial ? $"[{label}]" : label)))) + "[/]");
            }
            workspace.Err.MarkupLine(Texts.Get("Live.Running", settings.Minutes));

            var terminal = new TerminalLines(workspace.Err, TerminalLine);
            var progress = new Fanout(live, terminal);
            await session.RunAsync(progress, TimeSpan.FromMinutes(settings.Minutes), stop.Token);
        }

        var over = !cancellationToken.IsCancellationRequested && !live.StopRequested.IsCancellationRequested;
        var how = Texts.Get(cancellationToken.IsCancellationRequested ? "Replay.Cancelled" : over ? "Live.Over" : "Live.StoppedFromPage");
        live.End(over ? "finished" : "stopped", Texts.Get("Live.Ended", how));
        workspace.Err.MarkupLine("[dim]" + Markup.Escape(Texts.Get("Live.EndedShort", how)) + "[/]");
        return cancellationToken.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Ok;
    }

    private sealed class Fanout(params IProgress<ReplayProgress>[] targets) : IProgress<ReplayProgress>
    {
        public void Report(ReplayProgress value)
        {
            foreach (var target in targets) target.Report(value);
        }
    }

    /// <summary>Every few seconds, one line: each variant's answered per second and p99 since the previous line.</summary>
    private sealed class TerminalLines(IAnsiConsole err, TimeSpan every) : IProgress<ReplayProgress>
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, (double Seconds, long Completed, double P99)> _last = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (double Seconds, long Completed)> _printed = new(StringComparer.Ordinal);
        private double _nextLine = every.TotalSeconds;

        public void Report(ReplayProgress value)
        {
            if (value.Load is not { } load) return;
            string? line = null;
            lock (_gate)
            {
                _last[value.Variant] = (load.Elapsed.TotalSeconds, load.Completed, load.P99Ms);
                if (load.Elapsed.TotalSeconds < _nextLine) return;
                _nextLine = load.Elapsed.TotalSeconds + every.TotalSeconds;
                line = string.Join("   ", LiveSession.Variants.Where(_last.ContainsKey).Select(v =>
                {
                    var (seconds, completed, p99) = _last[v];
                    var (s0, c0) = _printed.GetValueOrDefault(v);
                    _printed[v] = (seconds, completed);
                    var rate = seconds > s0 ? (completed - c0) / (seconds - s0) : 0;
                    return string.Create(CultureInfo.InvariantCulture, $"{v} {rate,6:N1}/s p99 {(double.IsFinite(p99) ? $"{p99:N0} ms" : "-"),9}");
                }));
                line = string.Create(CultureInfo.InvariantCulture, $"{load.Elapsed.TotalSeconds,5:N0} s  {line}");
            }
            err.WriteLine(line);
        }
    }
}
