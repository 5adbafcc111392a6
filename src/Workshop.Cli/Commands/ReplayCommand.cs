using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Live;
using Workshop.Cli.Localization;
using Workshop.Cli.Replay;
using Workshop.Toolkit.Prometheus;
using Workshop.Toolkit.Repository;
using Workshop.Toolkit.Replay;

namespace Workshop.Cli.Commands;

/// <summary>
/// `workshop replay NN|all [--scale F] [--json] [--out DIR]`: each lab's Broken and Fixed as real processes
/// under the lab's load (its scenario lives in labs/NN-name/Replay/), through the toolkit's replay engine; a table
/// and headline per lab, and the charts, report and JSON in a folder of their own under artifacts/replay/NN/.
/// </summary>
internal sealed class ReplayCommand(Workspace workspace) : AsyncCommand<ReplayCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<LAB>")]
        [TextDescription("Help.Replay.Lab")]
        public string Lab { get; set; } = "";

        [CommandOption("-s|--scale <FACTOR>")]
        [TextDescription("Help.Replay.Scale")]
        public string? Scale { get; set; }

        [CommandOption("--json")]
        [TextDescription("Help.Replay.Json")]
        public bool Json { get; set; }

        [CommandOption("--prometheus")]
        [TextDescription("Help.Replay.Prometheus")]
        public bool Prometheus { get; set; }

        [CommandOption("--live")]
        [TextDescription("Help.Replay.Live")]
        public bool Live { get; set; }

        [CommandOption("--live-port <PORT>")]
        [TextDescription("Help.Replay.LivePort")]
        public int LivePort { get; set; }

        [CommandOption("--no-browser")]
        [TextDescription("Help.Replay.NoBrowser")]
        public bool NoBrowser { get; set; }

        [CommandOption("-o|--out <DIR>")]
        [TextDescription("Help.Replay.Out")]
        public string? Out { get; set; }

        /// <summary>The factor on each lab's load.</summary>
        public double Factor => Scale is null ? 1 : double.Parse(Scale, NumberStyles.Float, CultureInfo.InvariantCulture);

        // Parsed here rather than by the binder, whose message for "abc" names a .NET type instead of the option.
        public override ValidationResult Validate() =>
            LivePort is < 0 or > 65535 ? ValidationResult.Error($"--live-port must be from 0 to 65535, not {LivePort}.") :
            Scale is null || (double.TryParse(Scale, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && d >= 0.05 && d <= 20)
                ? ValidationResult.Success()
                : ValidationResult.Error($"--scale must be a number from 0.05 to 20, not '{Scale}'.");
    }

    public override ValidationResult Validate(CommandContext context, Settings settings)
    {
        try
        {
            Scenarios(settings.Lab);
            return ValidationResult.Success();
        }
        catch (UsageException e)
        {
            return ValidationResult.Error(e.Message);
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Prometheus && PrometheusServer.FindExecutable() is null)
            throw new UsageException($"--prometheus needs a Prometheus server, which is not installed: {PrometheusServer.InstallHint}.");
        await using var prometheus = settings.Prometheus ? await PrometheusServer.StartAsync(cancellationToken) : null;
        if (prometheus is not null) workspace.Err.MarkupLine(Texts.Get("Replay.Prometheus", Markup.Escape($"{prometheus.BaseAddress}targets")));
        await using var live = settings.Live ? await LiveDashboard.StartAsync(settings.LivePort, cancellationToken) : null;
        // Ctrl+C, or the live page's stop button: either stops the replay and its services.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, live?.StopRequested ?? CancellationToken.None);
        if (live is not null)
        {
            var opened = !settings.NoBrowser && BrowserLauncher.TryOpen(live.Address);
            workspace.Err.MarkupLine(Texts.Get("Replay.LivePage", Markup.Escape(live.Address.ToString()), Texts.Get(opened ? "Live.Opened" : "Live.OpenIt")));
        }

        var run = new Run(settings, prometheus, live, ReplayObservers.Of(prometheus, live), stop.Token);
        var labs = Scenarios(settings.Lab);
        foreach (var (lab, index) in labs.Select((l, i) => (l, i + 1)))
        {
            try
            {
                await ReplayLabAsync(run, lab, index, labs.Count, cancellationToken);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The replay engine stopped and disposed both services on its way out.
                var how = Texts.Get(cancellationToken.IsCancellationRequested ? "Replay.Cancelled" : "Replay.StoppedFromPage");
                workspace.Err.MarkupLine("[yellow]" + Markup.Escape(Texts.Get("Replay.Stopped", how)) + "[/]");
                live?.End("stopped", Texts.Get("Replay.Stopped", how));
                return ExitCodes.Interrupted;
            }
            catch (Exception e) when (run.All && e is InvalidOperationException or TimeoutException or FileNotFoundException or ArgumentException)
            {
                // One lab that fails to build or start does not hide the others.
                run.Failures++;
                workspace.Err.MarkupLine(Texts.Get("Replay.LabFailed", Markup.Escape(lab.Name), Markup.Escape(e.Message)));
                live?.LabFailed(lab.Name, e.Message);
            }
        }

        live?.End(run.Failures == 0 ? "finished" : "failed", run.Failures == 0
            ? Texts.Get("Replay.Finished", run.Replays.Count == 1 ? run.Replays[0].Result.Lab : Texts.Get("Replay.Labs", run.Replays.Count))
            : Texts.Get("Replay.FinishedFailed", run.Failures));
        if (settings.Json) await PrintJsonAsync(run, cancellationToken);
        else if (run.All) workspace.Out.Write(ReplayView.Summary(run.Replays));
        return run.Failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    // What one replay shares across its labs, and what it has gathered so far.
    private sealed record Run(Settings Settings, PrometheusServer? Prometheus, LiveDashboard? Live, IReplayObserver? Observer, CancellationToken Stop)
    {
        public bool All { get; } = Settings.Lab.Trim().Equals("all", StringComparison.OrdinalIgnoreCase);

        public List<(ReplayResult Result, string Directory, ScenarioWords Words)> Replays { get; } = [];

        public int Failures { get; set; }
    }

    // One lab: Broken then Fixed under its load, its artifacts written, and its table printed unless --json.
    private async Task ReplayLabAsync(Run run, LabInfo lab, int index, int count, CancellationToken ct)
    {
        var settings = run.Settings;
        var scenario = await Toolkit.Replay.Scenarios.LoadAsync(lab, run.Stop);
        // The scenario's words in the CLI's language: its Chinese ones when it speaks Chinese (the JSON, report.md and
        // charts keep the replay's English, which scripts and the drift guard read).
        var words = new ScenarioWords(scenario);
        workspace.Err.MarkupLine(Texts.Get("Replay.Replaying", Markup.Escape(scenario.Lab), Markup.Escape(words.Title), Markup.Escape(words.Conditions(settings.Factor))));
        run.Live?.LabStarting(scenario, words, settings.Factor, index, count);
        var result = await ReplayView.RunAsync(workspace.Err, scenario, settings.Factor, run.Stop, run.Observer, run.Live);
        run.Live?.LabFinished(result, words);

        var directory = settings.Out is null
            ? ReplayArtifacts.NewRunDirectory(Path.Combine(workspace.Root, "artifacts", "replay", scenario.Id))
            : run.All ? Path.Combine(Path.GetFullPath(settings.Out), scenario.Id) : Path.GetFullPath(settings.Out);
        var files = ReplayArtifacts.Write(result, directory);
        if (settings.Out is null) ReplayArtifacts.PointLatest(files.Directory);
        run.Replays.Add((result, Display(files.Directory), words));
        if (settings.Json) return;

        workspace.Out.Write(ReplayView.Headline(result, words, workspace.Out.Profile.Width));
        workspace.Out.Write(ReplayView.Table(result, words, settings.Factor));
        foreach (var note in words.Notes(result)) workspace.Out.MarkupLineInterpolated($"[dim]  {note}[/]");
        if (run.Prometheus is not null)
        {
            var broken = await run.Prometheus.DashboardAsync(run.Prometheus.Window("Broken"), ct);
            var @fixed = await run.Prometheus.DashboardAsync(run.Prometheus.Window("Fixed"), ct);
            workspace.Out.Write(ReplayView.PromQl(run.Prometheus.BaseAddress, result, broken, @fixed));
        }
        workspace.Out.MarkupLine(Texts.Get("Replay.Wrote", Markup.Escape(Display(files.Directory)), Markup.Escape(Display(Path.Combine(Path.GetDirectoryName(files.Directory)!, "latest"))),
            Markup.Escape(string.Join(", ", files.Charts.Select(Path.GetFileName).Where(f => f!.EndsWith(".svg", StringComparison.Ordinal))))));
    }

    private async Task PrintJsonAsync(Run run, CancellationToken ct)
    {
        JsonNode json = run.All ? new JsonArray([.. run.Replays.Select(r => (JsonNode)r.Result.ToJson())]) : run.Replays[0].Result.ToJson();
        // Straight to the stream: JSON must not be wrapped at the console's width or styled.
        var writer = workspace.Out.Profile.Out.Writer;
        await writer.WriteLineAsync(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        await writer.FlushAsync(ct);
    }

    /// <summary>The labs "all" or one lab stands for, each holding a replay (labs/NN-name/Replay/).</summary>
    /// <exception cref="UsageException">No such lab, or it has no replay.</exception>
    private IReadOnlyList<LabInfo> Scenarios(string lab)
    {
        var replayable = Toolkit.Replay.Scenarios.Replayable(workspace.Root);
        if (lab.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
            return replayable.Count > 0 ? replayable : throw new UsageException($"No lab under {workspace.Root}/labs has a replay yet.");
        var info = workspace.FindLab(lab);
        return Toolkit.Replay.Scenarios.HasReplay(info)
            ? [info]
            : throw new UsageException(
                $"Lab {info.Name} has no replay yet (no project in labs/{info.Name}/Replay/); replayable: {(replayable.Count == 0 ? "none" : string.Join(", ", replayable.Select(s => s.Id)))}.");
    }

    private string Display(string path)
    {
        var relative = Path.GetRelativePath(workspace.Root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative.Replace('\\', '/');
    }
}
