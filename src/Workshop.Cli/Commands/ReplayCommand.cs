using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Replay;
using Workshop.Toolkit.Replay;

namespace Workshop.Cli.Commands;

/// <summary>
/// `workshop replay NN|all [--duration S] [--json] [--out DIR]`: each lab's Broken and Fixed as real processes
/// under the lab's load, through the toolkit's replay engine; a table and headline per lab, and the charts,
/// report and JSON in artifacts/replay/NN/.
/// </summary>
internal sealed class ReplayCommand(Workspace workspace) : AsyncCommand<ReplayCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<LAB>")]
        [Description("The lab (01, 1 or 01-logging-blocking), or 'all' for every lab that has a replay.")]
        public string Lab { get; set; } = "";

        [CommandOption("-d|--duration <SECONDS>")]
        [Description("Seconds of load on each variant (default: the lab's own, 8 s for lab 01).")]
        public string? Duration { get; set; }

        [CommandOption("--json")]
        [Description("Print the result as JSON on stdout (an array for 'all') and nothing else there.")]
        public bool Json { get; set; }

        [CommandOption("-o|--out <DIR>")]
        [Description("Write the charts, report and JSON here instead of artifacts/replay/NN (with 'all': into DIR/NN).")]
        public string? Out { get; set; }

        /// <summary>The load per variant, or null for the lab's default.</summary>
        public TimeSpan? Load => Duration is null ? null : TimeSpan.FromSeconds(double.Parse(Duration, NumberStyles.Float, CultureInfo.InvariantCulture));

        // Parsed here rather than by the binder, whose message for "abc" names a .NET type instead of the option.
        public override ValidationResult Validate() =>
            Duration is null || (double.TryParse(Duration, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && d > 0 && d <= 3600)
                ? ValidationResult.Success()
                : ValidationResult.Error($"--duration must be a positive number of seconds (at most 3600), not '{Duration}'.");
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
        var all = settings.Lab.Trim().Equals("all", StringComparison.OrdinalIgnoreCase);
        var replays = new List<(ReplayResult Result, string Directory)>();
        var failures = 0;
        foreach (var scenario in Scenarios(settings.Lab))
        {
            var duration = settings.Load ?? scenario.DefaultDuration;
            workspace.Err.MarkupLineInterpolated(
                $"[bold]Replaying {scenario.Lab}[/]: {scenario.Title}. Broken, then Fixed, {duration.TotalSeconds:0.#} s of load each.");
            ReplayResult result;
            try
            {
                result = await ReplayView.RunAsync(workspace.Err, scenario, duration, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The replay engine stopped and disposed both services on its way out.
                workspace.Err.MarkupLine("[yellow]Replay cancelled; its services are stopped.[/]");
                return ExitCodes.Interrupted;
            }
            catch (Exception e) when (all && e is InvalidOperationException or TimeoutException or FileNotFoundException)
            {
                // One lab that fails to build or start does not hide the others.
                failures++;
                workspace.Err.MarkupLineInterpolated($"[red]{scenario.Lab} failed:[/] {e.Message}");
                continue;
            }

            var directory = settings.Out is null
                ? Path.Combine(workspace.Root, "artifacts", "replay", scenario.Id)
                : all ? Path.Combine(Path.GetFullPath(settings.Out), scenario.Id) : Path.GetFullPath(settings.Out);
            var files = ReplayArtifacts.Write(result, directory);
            replays.Add((result, Display(files.Directory)));

            if (settings.Json) continue;
            workspace.Out.Write(ReplayView.Table(result, duration));
            workspace.Out.Write(ReplayView.Headline(result));
            workspace.Out.MarkupLineInterpolated(
                $"[dim]Wrote {Display(files.Directory)}/: report.md, result.json, and charts {string.Join(", ", files.Charts.Select(Path.GetFileName).Where(f => f!.EndsWith(".svg", StringComparison.Ordinal)))} (each also .png).[/]");
        }

        if (settings.Json)
        {
            JsonNode json = all ? new JsonArray([.. replays.Select(r => (JsonNode)r.Result.ToJson())]) : replays[0].Result.ToJson();
            // Straight to the stream: JSON must not be wrapped at the console's width or styled.
            var writer = workspace.Out.Profile.Out.Writer;
            await writer.WriteLineAsync(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            await writer.FlushAsync(cancellationToken);
        }
        else if (all)
        {
            workspace.Out.Write(ReplayView.Summary(replays));
        }

        return failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>The scenarios "all" or one lab stands for.</summary>
    /// <exception cref="UsageException">No such lab, or it has no replay.</exception>
    private IReadOnlyList<LabScenario> Scenarios(string lab)
    {
        if (lab.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return Toolkit.Replay.Scenarios.All;
        var info = workspace.FindLab(lab);
        return [Toolkit.Replay.Scenarios.All.FirstOrDefault(s => s.Lab == info.Name)
                ?? throw new UsageException(
                    $"Lab {info.Name} has no replay yet; replayable: {string.Join(", ", Toolkit.Replay.Scenarios.All.Select(s => s.Id))}.")];
    }

    private string Display(string path)
    {
        var relative = Path.GetRelativePath(workspace.Root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative.Replace('\\', '/');
    }
}
