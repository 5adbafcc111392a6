using System.Globalization;
using Workshop.Toolkit.Replay;
using Xunit.Abstractions;

namespace Workshop.Toolkit.Tests;

/// <summary>
/// A real Prometheus server scraping a replay of lab 02, and the PromQL a dashboard would ask, against the replay's own
/// figures. Tolerances: counts exact (both cover the same requests: the replay waits for a scrape before and after its
/// load); heap growth within 10% or 2 MB (both read the heap after the replay's full collections); Broken's heap peak
/// within 25% (its heap climbs with the load; Fixed's saws up and down, so its peak is wherever a scrape falls); p99 within 2x (the server's histogram, interpolated in a bucket,
/// against the client's own clock).
/// </summary>
public sealed class PrometheusServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Dashboard_OfALab02Replay_MatchesTheReplaysOwnFigures()
    {
        // Arrange
        await using var prometheus = await PrometheusServer.StartAsync();
        var scenario = await Scenarios.LoadAsync("02");

        // Act
        var replay = await Replayer.RunAsync(scenario, scale: 0.5, observer: prometheus);
        var broken = await prometheus.DashboardAsync(prometheus.Window("Broken"));
        var @fixed = await prometheus.DashboardAsync(prometheus.Window("Fixed"));

        // Assert
        foreach (var (dashboard, run) in new[] { (broken, replay.Broken), (@fixed, replay.Fixed) })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run.Variant}: requests {dashboard.Requests:N0} (replay {run.Figure("completed"):N0}), 5xx {dashboard.ServerErrors:N0} (replay errors {run.Figure("errors"):N0}), " +
                $"p99 {dashboard.P99Milliseconds:N1} ms (replay {run.Figure("p99_ms"):N1}), heap peak {dashboard.HeapPeakBytes:N0} (replay {run.Figure("heap_peak_bytes"):N0}), " +
                $"heap growth {dashboard.HeapGrowthBytes:N0} (replay retained {run.Figure("heap_retained_bytes"):N0}), queue peak {dashboard.ThreadPoolQueuePeak:N0}"));
            var what = $"{run.Variant}'s dashboard";
            dashboard.Requests.Should().Be(run.Figure("completed"), $"{what} counts the requests the replay measured");
            dashboard.ServerErrors.Should().Be(run.Figure("errors"), $"{what} counts the 5xx the replay saw (lab 02 answers none)");
            dashboard.HeapGrowthBytes.Should().BeApproximately(run.Figure("heap_retained_bytes"),
                Math.Max(2 * 1024 * 1024, Math.Abs(run.Figure("heap_retained_bytes")) * 0.10), $"{what} reads the heap the replay read after its full collections");
            dashboard.P99Milliseconds.Should().BeInRange(run.Figure("p99_ms") / 2, run.Figure("p99_ms") * 2, $"{what} p99 comes from the server's histogram of the same requests");
        }
        broken.HeapPeakBytes.Should().BeInRange(replay.Broken.Figure("heap_peak_bytes") * 0.75, replay.Broken.Figure("heap_peak_bytes") * 1.25,
            "Broken's dashboard scrapes the heap gauge the replay samples, and the leak's heap peaks at the end of the load");
        broken.HeapGrowthBytes.Should().BeGreaterThan(20 * @fixed.HeapGrowthBytes + 20 * 1024 * 1024, "the leak shows on the dashboard as it does in the replay");
    }
}
