using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Localization;
using Workshop.Cli.Infrastructure;
using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Replay;

namespace Workshop.Cli.Commands;

/// <summary>
/// `workshop heapdiff NN [--variant broken|fixed] [--requests N] [--top K]`: the leak hunt in one command. Starts the
/// lab's service as its replay does, warms it up, snapshots its live heap (after a full collection), puts the replay's
/// load on it, snapshots it again and prints the types that grew most, with what holds them, and the ones that grew
/// with every request.
/// </summary>
internal sealed class HeapDiffCommand(Workspace workspace) : LabCommand<HeapDiffCommand.Settings>(workspace)
{
    internal sealed class Settings : VariantLabSettings
    {
        [CommandOption("-n|--requests <N>")]
        [TextDescription("Help.HeapDiff.Requests")]
        public string? Requests { get; set; }

        [CommandOption("--top <K>")]
        [TextDescription("Help.HeapDiff.Top")]
        public int Top { get; set; } = 10;

        public override ValidationResult Validate()
        {
            if (base.Validate() is { Successful: false } variant) return variant;
            if (Requests is not null && (!long.TryParse(Requests, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 10 || n > 1_000_000))
                return ValidationResult.Error($"--requests must be a whole number from 10 to 1,000,000, not '{Requests}'.");
            return Top is < 1 or > 200 ? ValidationResult.Error($"--top must be from 1 to 200, not {Top}.") : ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var lab = Workspace.FindLab(settings.Lab);
        var scenario = await LoadScenarioAsync(lab, "heapdiff", cancellationToken);
        var variant = settings.VariantFolder;
        var scale = Scale(scenario, settings.Requests);

        Workspace.Err.MarkupLineInterpolated(
            $"[bold]Heap hunt in {lab.Name} {variant}[/]: live heap after a full collection, then {scenario.Conditions(scale)}, then the live heap again.");
        var result = await HeapUnderLoad.RunAsync(scenario, variant, scale, gcdump: false, cancellationToken);

        var diff = result.Diff;
        var served = result.Load.Completed;
        Line(string.Create(CultureInfo.InvariantCulture,
            $"{lab.Name} {variant}: {served:N0} requests answered between two snapshots of process {diff.After.ProcessId}'s live heap, each after a full collection."));
        Line(string.Create(CultureInfo.InvariantCulture,
            $"Live heap {Mb(diff.Before.Bytes)} before, {Mb(diff.After.Bytes)} after: {Signed(diff.BytesGrowth)} bytes ({result.BytesPerRequest / 1024:+#,0.0;-#,0.0;0} KB a request), {Signed(diff.CountGrowth)} objects."));
        Line("");

        // One row a type, never wrapped: a runtime type name is long, and cut in two it cannot be searched for.
        Line($"The {settings.Top} types that grew most, by bytes (<- what holds most of them):", new Style(decoration: Decoration.Bold));
        Line(string.Create(CultureInfo.InvariantCulture, $"{"bytes",14} {"objects",9} {"a request",9}  type"));
        foreach (var t in diff.Top(settings.Top)) Line(Row(t, served));
        Line("");

        var growing = result.GrowingWithTraffic;
        if (growing.Count == 0)
        {
            Line(string.Create(CultureInfo.InvariantCulture,
                $"Nothing grew with traffic: no type gained one live object per request answered ({served:N0}); what grew above is warm-up and noise."), new Style(Color.Green));
            return ExitCodes.Ok;
        }

        Line(string.Create(CultureInfo.InvariantCulture,
            $"{growing.Count} types grew with traffic, at least one live object per request answered ({served:N0}):"), new Style(Color.Red));
        foreach (var t in growing.Take(settings.Top)) Line(Row(t, served));
        Line("Follow what holds them back to the code that keeps them: the type whose field points at the grown objects is where to look.", new Style(decoration: Decoration.Dim));
        return ExitCodes.Ok;
    }

    private void Line(string text, Style? style = null) => Workspace.Out.Write(new RawLine(text, style));

    private static string Row(HeapTypeGrowth t, long served)
    {
        var perRequest = served > 0 ? ((double)t.CountGrowth / served).ToString("N2", CultureInfo.InvariantCulture) : "-";
        var heldBy = t.HeldBy is null ? "" : $"  <- {HeapTypeNames.Short(t.HeldBy)}";
        return string.Create(CultureInfo.InvariantCulture, $"{Signed(t.BytesGrowth),14} {Signed(t.CountGrowth),9} {perRequest,9}  {t.ReadableName}{heldBy}");
    }

    /// <summary>The scale on the replay's load that sends <paramref name="requests"/> requests.</summary>
    private static double Scale(LabScenario scenario, string? requests)
    {
        if (requests is null) return 1;
        var n = long.Parse(requests, NumberStyles.None, CultureInfo.InvariantCulture);
        return scenario.RequestCount is { } count
            ? (double)n / count
            : throw new UsageException($"Lab {scenario.Lab}'s replay runs for a time, not a count of requests, so --requests does not apply; leave it out to use the replay's own load.");
    }

    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N1", CultureInfo.InvariantCulture) + " MB";

    private static string Signed(long value) => value.ToString("+#,0;-#,0;0", CultureInfo.InvariantCulture);
}
