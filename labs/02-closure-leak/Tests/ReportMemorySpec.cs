using System.Globalization;
using FluentAssertions;
using FluentAssertions.Execution;
using Workshop.TestKit;
using Workshop.Toolkit.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Lab02.Tests;

/// <summary>
/// A report buffer lives as long as its request: thousands of reports later, the heap holds none of them, and none
/// of the objects a request makes (closures, token sources, callbacks) outlives it.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class ReportMemorySpec(ITestOutputHelper output)
{
    private const int ReportSizeKb = 32;
    private const int WarmUp = 100;
    private const int Requests = 2_000;
    private const int Step = 700;
    private const int Census = 1_000;
    private const long BoundBytes = 4 * 1024 * 1024;

    [Incident("broken")]
    public async Task Heap_AfterThousandsOfReports_StaysWithinABound(LabTarget target)
    {
        // Arrange: 32 KB reports; warm up so that caches, pools and JIT work are done before the first measurement.
        await using var app = target.Start(("Lab:ReportSizeKb", $"{ReportSizeKb}"));
        using var client = app.CreateClient();
        await Reports.SendAsync(client, WarmUp);
        var before = Memory.RetainedBytes();

        // Act: up to 2,000 reports, 8 at a time, in steps of 700, each followed by full, compacting collections. A heap
        // past the bound after a step has answered (a report kept per request is 22 MB there, 5.5x the bound), so a red
        // service stops early and a green one is held at every step.
        var sent = 0;
        var grown = 0L;
        while (sent < Requests && grown <= BoundBytes)
        {
            var step = Math.Min(Step, Requests - sent);
            await Reports.SendAsync(client, step);
            sent += step;
            grown = Memory.RetainedBytes() - before;
        }
        output.WriteLine($"retained heap grew by {Memory.Megabytes(grown)} ({grown:N0} bytes) over {sent:N0} reports of {ReportSizeKb} KB");

        // Assert
        Symptom.AtMost(grown, BoundBytes,
            $"the retained heap grew by {Memory.Megabytes(grown)} over {sent:N0} reports of {ReportSizeKb} KB ({grown / 1024.0 / sent:N1} KB a request); " +
            $"expected under {Memory.Megabytes(BoundBytes)}, a report being garbage once it is sent.");
    }

    [Incident("broken")]
    public async Task SurvivingObjects_AfterThousandsOfReports_IncludeNoBuffersNorClosures(LabTarget target)
    {
        // Arrange
        await using var app = target.Start(("Lab:ReportSizeKb", $"{ReportSizeKb}"));
        using var client = app.CreateClient();
        await Reports.SendAsync(client, WarmUp);
        var before = HeapSnapshot.TakeOfCurrentProcess();

        // Act: 1,000 reports, then a census of the live objects by type (a walk of the heap from its roots, whose cost
        // grows with the heap). A report kept per request leaves 1,000 closures (100x the bound) and 31 MB (8x).
        await Reports.SendAsync(client, Census);
        var after = HeapSnapshot.TakeOfCurrentProcess();
        var diff = HeapDiff.Between(before, after);
        output.WriteLine($"census paused the test process {before.Pause.TotalMilliseconds:N0} ms and {after.Pause.TotalMilliseconds:N0} ms");
        output.WriteLine(diff.ToTable(12));

        // Assert: nothing a request made is still alive; closures of the lab's code are named with what they captured.
        var buffers = diff.Find("System.Byte[]");
        var service = target.Marker.Assembly.GetName().Name + ".dll";
        var closures = diff.Types.Where(t => t.CountGrowth > 0 && HeapTypeNames.IsCompilerGenerated(t.Type) && t.Stats?.Module == service).ToList();
        var perRequest = diff.GrewBy(Census * 9 / 10).Take(8).ToList();
        var survivors = perRequest.Count == 0 ? "none" : string.Join("; ", perRequest.Select(Describe));
        var closureCount = closures.Sum(c => c.CountGrowth);
        var bufferBytes = buffers?.BytesGrowth ?? 0;
        Symptom.Absent(closureCount < Census / 100 && bufferBytes < BoundBytes,
            $"{Census:N0} finished requests left {closureCount:N0} closures of the service alive ({(closures.Count == 0 ? "none" : string.Join("; ", closures.Select(Describe)))}) " +
            $"and {(buffers is null ? "no buffers" : Describe(buffers))}; expected fewer than {Census / 100} closures and under {Memory.Megabytes(BoundBytes)} of byte[]. " +
            $"Types every request left alive: {survivors}.");
    }

    private static string Describe(HeapTypeGrowth t) => string.Create(CultureInfo.InvariantCulture,
        $"{t.ReadableName}: {t.CountGrowth:+#,0;-#,0;0} objects, {t.BytesGrowth / 1024.0 / 1024.0:+0.0;-0.0;0} MB{(t.HeldBy is { } by ? $", held by {HeapTypeNames.Short(by)}" : "")}");
}
