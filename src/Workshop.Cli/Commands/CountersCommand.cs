using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Localization;
using Workshop.Cli.Infrastructure;
using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;

namespace Workshop.Cli.Commands;

/// <summary>
/// `workshop counters NN [--variant broken|fixed] [--seconds S] [--monitor]`: starts the lab's service as its replay
/// does, puts the replay's load on it again and again, and shows its runtime counters live, a line a second (read over
/// EventPipe as dotnet-counters reads them), so a learner watches the leak or the starvation happen; then what changed.
/// With --monitor, dotnet-counters monitor's own full-screen view instead.
/// </summary>
internal sealed class CountersCommand(Workspace workspace) : LabCommand<CountersCommand.Settings>(workspace)
{
    internal sealed class Settings : VariantLabSettings
    {
        [CommandOption("--seconds <S>")]
        [TextDescription("Help.Counters.Seconds")]
        public int Seconds { get; set; } = 20;

        [CommandOption("--monitor")]
        [TextDescription("Help.Counters.Monitor")]
        public bool Monitor { get; set; }

        public override ValidationResult Validate()
        {
            if (base.Validate() is { Successful: false } variant) return variant;
            return Seconds is < 3 or > 600 ? ValidationResult.Error($"--seconds must be from 3 to 600, not {Seconds}.") : ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var lab = Workspace.FindLab(settings.Lab);
        var scenario = await LoadScenarioAsync(lab, "counters", cancellationToken);
        var variant = settings.VariantFolder;
        var watch = TimeSpan.FromSeconds(settings.Seconds);

        await using var run = await scenario.PrepareAsync(variant, 1, cancellationToken);
        await using var service = await LabService.StartAsync(scenario.Folder, variant, run.Settings, cancellationToken);
        Workspace.Err.MarkupLineInterpolated(
            $"[bold]{lab.Name} {variant}[/] (pid {service.ProcessId}, {service.BaseAddress}) under its replay's load, {scenario.Conditions(1)}, over and over, for {settings.Seconds} s.");
        await scenario.WarmUpAsync(service, run, cancellationToken);

        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var load = LoadAsync(scenario, service, run, stopLoad.Token);
        try
        {
            if (settings.Monitor)
            {
                var code = await MonitorAsync(service.ProcessId, watch, cancellationToken);
                return code == 0 ? ExitCodes.Ok : ExitCodes.Failed;
            }

            Workspace.Err.MarkupLine("[dim]The runtime's System.Runtime counters over EventPipe, as dotnet-counters reads them, a line a second:[/]");
            Line(CounterSample.Header, new Style(decoration: Decoration.Bold));
            var samples = await RuntimeCounters.StreamAsync(service.ProcessId, watch, s => Line(s.ToString()), cancellationToken);
            await stopLoad.CancelAsync();
            var rounds = await load;
            Summary(samples, rounds);
            return ExitCodes.Ok;
        }
        finally
        {
            await stopLoad.CancelAsync();
            try { await load; }
            catch (OperationCanceledException) { }
        }
    }

    // The replay's load, sent again each time it ends, until told to stop; how many rounds it sent.
    private static async Task<int> LoadAsync(LabScenario scenario, LabService service, ScenarioContext run, CancellationToken ct)
    {
        var rounds = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await scenario.DriveAsync(service, run, null, ct).ConfigureAwait(false);
                rounds++;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        return rounds;
    }

    private void Summary(IReadOnlyList<CounterSample> samples, int rounds)
    {
        if (samples.Count < 2)
        {
            Line($"Only {samples.Count} second of counters arrived; the service may have stopped answering the runtime's diagnostics port.", new Style(Color.Yellow));
            return;
        }
        var first = samples[0];
        var last = samples[^1];
        Line("");
        Line(string.Create(CultureInfo.InvariantCulture,
            $"Over {samples.Count} s ({rounds} full rounds of the load): GC heap {first.HeapMegabytes:N1} MB -> {last.HeapMegabytes:N1} MB (peak {samples.Max(s => s.HeapMegabytes):N1}), " +
            $"thread-pool queue peak {samples.Max(s => s.ThreadPoolQueue):N0}, threads {first.ThreadPoolThreads:N0} -> {last.ThreadPoolThreads:N0}, " +
            $"{samples.Sum(s => s.Gen2PerSecond):N0} gen 2 collections, {samples.Average(s => s.AllocatedBytesPerSecond) / 1024 / 1024:N1} MB/s allocated on average."));
    }

    // dotnet-counters monitor owns the terminal; its own Ctrl+C and q work as the tool documents.
    private async Task<int> MonitorAsync(int processId, TimeSpan watch, CancellationToken ct)
    {
        var start = new System.Diagnostics.ProcessStartInfo(ProcessRunner.Dotnet)
        {
            WorkingDirectory = Workspace.Root,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "tool", "run", "dotnet-counters", "--", "monitor", "-p", processId.ToString(CultureInfo.InvariantCulture), "--counters", "System.Runtime",
                     "--duration", watch.ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture),
                 })
            start.ArgumentList.Add(arg);
        using var tool = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("dotnet-counters did not start.");
        try
        {
            await tool.WaitForExitAsync(ct);
        }
        finally
        {
            if (!tool.HasExited) tool.Kill(entireProcessTree: true);
        }
        return tool.ExitCode;
    }

    private void Line(string text, Style? style = null) => Workspace.Out.Write(new RawLine(text, style));
}
