using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Localization;
using Workshop.Cli.Gameday;
using Workshop.Cli.Infrastructure;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;
using Workshop.Toolkit.Repository;

namespace Workshop.Cli.Commands;

/// <summary>
/// `workshop gameday [--seed N] [--minutes M]`: a Wheel of Misfortune. One lab's Broken service, drawn at random (or by
/// seed), starts under its incident's traffic without being named; the team gets what an on-call engineer gets (an
/// alert line, the address, the time) and a clock, and the game master gets the lab's hints on a schedule.
/// `workshop gameday --reveal [FILE...]` names the lab, shows the evidence a good investigation finds, marks which of
/// it each team's written diagnosis names, and stops everything the game day started.
/// </summary>
internal sealed class GamedayCommand(Workspace workspace) : AsyncCommand<GamedayCommand.Settings>
{
    /// <summary>How long the service stays up after the clock runs out, waiting for the reveal.</summary>
    private static readonly TimeSpan AfterTime = TimeSpan.FromMinutes(60);

    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[DIAGNOSIS]")]
        [TextDescription("Help.Gameday.Diagnoses")]
        public string[] Diagnoses { get; set; } = [];

        [CommandOption("--seed <N>")]
        [TextDescription("Help.Gameday.Seed")]
        public int? Seed { get; set; }

        [CommandOption("-m|--minutes <MINUTES>")]
        [TextDescription("Help.Gameday.Minutes")]
        public int Minutes { get; set; } = 30;

        [CommandOption("--reveal")]
        [TextDescription("Help.Gameday.Reveal")]
        public bool Reveal { get; set; }

        public override ValidationResult Validate() =>
            Minutes is < 1 or > 480 ? ValidationResult.Error($"--minutes must be from 1 to 480, not {Minutes}.") :
            !Reveal && Diagnoses.Length > 0 ? ValidationResult.Error($"Diagnosis files are marked at the reveal: workshop gameday --reveal {string.Join(' ', Diagnoses)}") :
            Reveal && Seed is not null ? ValidationResult.Error("--seed draws a game day's lab; the reveal reads the running one's.") :
            ValidationResult.Success();
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        settings.Reveal ? RevealAsync(settings) : PlayAsync(settings, cancellationToken);

    /// <summary>The labs a game day draws from: those with a replay (its traffic) and a gameday.json, in lab order.</summary>
    internal static IReadOnlyList<LabInfo> Candidates(Workspace workspace) =>
        [.. Scenarios.Replayable(workspace.Root).Where(GamedayBook.Exists)];

    /// <summary>The lab a seed draws from <paramref name="candidates"/>.</summary>
    internal static LabInfo Draw(IReadOnlyList<LabInfo> candidates, int seed) => candidates[new Random(seed).Next(candidates.Count)];

    private async Task<int> PlayAsync(Settings settings, CancellationToken ct)
    {
        if (GamedayState.Read(workspace.StateDirectory) is { } running && GamedayState.IsRunning(running.Pid))
        {
            throw new UsageException($"A game day runs already (pid {running.Pid}, since {running.Started.ToLocalTime():HH:mm}); end it with: workshop gameday --reveal");
        }
        var candidates = Candidates(workspace);
        if (candidates.Count == 0) throw new UsageException($"No lab under {workspace.Root}/labs keeps a {GamedayBook.FileName} and a replay.");
        var seed = settings.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue);
        var lab = Draw(candidates, seed);
        var book = GamedayBook.Read(lab);
        var scenario = await Scenarios.LoadAsync(lab, ct);

        workspace.Err.MarkupLine("[dim]Game day: starting the service and its traffic...[/]");
        await using var run = await scenario.PrepareAsync("Broken", 1, ct);
        await using var service = await LabService.StartAsync(lab, "Broken", run.Settings, ct);
        int[] services = [service.ProcessId, .. Owned(run)];
        var started = DateTimeOffset.Now;
        var state = new GamedayState(lab.Name, seed, started, settings.Minutes, service.BaseAddress.ToString(), Environment.ProcessId, services);
        state.Write(workspace.StateDirectory);
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var traffic = TrafficAsync(scenario, service, run, stop.Token);

            Say(string.Create(CultureInfo.InvariantCulture, $"[ALERT {started:HH:mm:ss}] {book.Service}: {book.Alert}"));
            Say($"  service: {service.BaseAddress} (pid {service.ProcessId}); its metrics: {service.BaseAddress}metrics");
            Say($"  you have {settings.Minutes} min. Write your diagnosis in a file: what you saw, the tool output that proves it, the root cause, the fix.");
            Say("  the game master ends the game with: ./workshop gameday --reveal YOUR-FILE...");

            await ClockAsync(book, settings.Minutes, stop.Token);
            await stop.CancelAsync();
            try { await traffic; }
            catch (OperationCanceledException) { }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            workspace.Err.MarkupLine("[yellow]Game day stopped; its service is stopped.[/]");
            return ExitCodes.Interrupted;
        }
        finally
        {
            if (GamedayState.Read(workspace.StateDirectory) is { } mine && mine.Pid == Environment.ProcessId) File.Delete(GamedayState.PathIn(workspace.StateDirectory));
        }
        return ExitCodes.Ok;
    }

    // The game master's clock: a line a minute, the hints at even intervals, then the wait for the reveal.
    private async Task ClockAsync(GamedayBook book, int minutes, CancellationToken ct)
    {
        var total = TimeSpan.FromMinutes(minutes);
        var hintsAt = book.Hints.Select((_, i) => total * (i + 1) / (book.Hints.Count + 1)).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var nextMinute = TimeSpan.FromMinutes(1);
        var hint = 0;
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (clock.Elapsed < total && await tick.WaitForNextTickAsync(ct))
        {
            if (hint < hintsAt.Count && clock.Elapsed >= hintsAt[hint])
            {
                Say($"[game master, hint {hint + 1} of {book.Hints.Count}] {book.Hints[hint]}");
                hint++;
            }
            if (clock.Elapsed >= nextMinute)
            {
                var left = total - nextMinute;
                Say(string.Create(CultureInfo.InvariantCulture, $"[clock] {nextMinute.TotalMinutes:N0} min gone, {Math.Max(0, left.TotalMinutes):N0} min left"));
                nextMinute += TimeSpan.FromMinutes(1);
            }
        }
        Say("[clock] Time. The service keeps running until the reveal: ./workshop gameday --reveal YOUR-FILE...");
        await Task.Delay(AfterTime, ct);
    }

    // A line as it is, never wrapped: a team may be reading it from a log.
    private void Say(string line) => workspace.Out.Write(new RawLine(line));

    // The incident's own traffic, run again and again: the replay's load on Broken, as production sent it.
    private static async Task TrafficAsync(LabScenario scenario, LabService service, ScenarioContext run, CancellationToken ct)
    {
        await scenario.WarmUpAsync(service, run, ct);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await scenario.DriveAsync(service, run, null, ct);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TimeoutException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct); // a run that failed half-way: the next one starts afresh
            }
        }
    }

    private static IEnumerable<int> Owned(ScenarioContext run)
    {
        try { return [run.Owned<Downstream>().ProcessId]; }
        catch (InvalidOperationException) { return []; }
    }

    private async Task<int> RevealAsync(Settings settings)
    {
        var state = GamedayState.Read(workspace.StateDirectory)
                    ?? throw new UsageException($"No game day runs here (no {workspace.Relative(GamedayState.PathIn(workspace.StateDirectory))}); start one with: workshop gameday");
        var missing = settings.Diagnoses.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0) throw new UsageException($"No such diagnosis file: {string.Join(", ", missing)}.");
        var lab = workspace.FindLab(state.Lab);
        var book = GamedayBook.Read(lab);
        var elapsed = DateTimeOffset.Now - state.Started;

        workspace.Out.MarkupLineInterpolated($"[bold]The incident was lab {lab.Name}[/] ({book.Service}), after {elapsed.TotalMinutes:N0} min of a {state.Minutes} min game.");
        var evidence = new Table().Border(TableBorder.Rounded).AddColumn("evidence").AddColumn("what a good investigation finds").AddColumn("how to see it");
        foreach (var e in book.Evidence)
        {
            evidence.AddRow(Markup.Escape(e.Kind), Markup.Escape(e.Finding),
                Markup.Escape(e.Proof.Replace("{url}", state.Url, StringComparison.Ordinal).Replace("{pid}", state.Services[0].ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        }
        workspace.Out.Write(evidence);

        if (settings.Diagnoses.Length > 0)
        {
            var marks = new Table().Border(TableBorder.Rounded).AddColumn("diagnosis");
            foreach (var e in book.Evidence) marks.AddColumn(Markup.Escape(e.Kind), c => c.Centered());
            marks.AddColumn("named", c => c.RightAligned());
            foreach (var file in settings.Diagnoses)
            {
                var named = book.Marks(await File.ReadAllTextAsync(file));
                marks.AddRow([Markup.Escape(Path.GetFileName(file)), .. named.Select(n => n ? "[green]yes[/]" : "[red]no[/]"),
                    $"{named.Count(n => n)} of {named.Count}"]);
            }
            workspace.Out.Write(marks);
        }
        workspace.Out.MarkupLineInterpolated($"[dim]The report, the answer folded in it: labs/{lab.Name}/README.md; the fix: ./workshop diff {lab.Id}.[/]");

        var stopped = await StopAllAsync(state);
        File.Delete(GamedayState.PathIn(workspace.StateDirectory));
        workspace.Err.MarkupLineInterpolated($"[dim]Stopped the game day (pid {state.Pid}) and its services (pids {string.Join(", ", state.Services)}){(stopped ? "" : ", some with a kill")}.[/]");
        return ExitCodes.Ok;
    }

    // SIGTERM to the game day, whose toolkit kills its services on the way out; then a kill for anything left.
    private static async Task<bool> StopAllAsync(GamedayState state)
    {
        int[] all = [state.Pid, .. state.Services];
        if (GamedayState.IsRunning(state.Pid) && !OperatingSystem.IsWindows()) _ = Kill(state.Pid, Sigterm);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (all.Any(GamedayState.IsRunning) && DateTime.UtcNow < deadline) await Task.Delay(100);
        var clean = !all.Any(GamedayState.IsRunning);
        foreach (var pid in all.Where(GamedayState.IsRunning))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // Gone since.
            }
        }
        return clean;
    }

    private const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
