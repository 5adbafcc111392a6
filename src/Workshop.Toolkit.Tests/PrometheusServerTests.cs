using System.Globalization;
using Workshop.Toolkit.Replay;
using Xunit.Abstractions;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Prometheus;

namespace Workshop.Toolkit.Tests;

/// <summary>
/// A real Prometheus server scraping a replay of lab 02, and the PromQL a dashboard would ask, against the replay's own
/// figures. Tolerances: counts exact (both cover the same requests: the replay waits for a scrape before and after its
/// load); heap growth within 10% or 2 MB (both read the heap after the replay's full collections); Broken's heap peak
/// within 25% (its heap climbs with the load; Fixed's saws up and down, so its peak is wherever a scrape falls); p99
/// within 5% of the same interpolation over the service's own histogram, scraped right after Prometheus's first and
/// last scrape. The client's p99 bounds it from above only: the server's clock starts once Kestrel has the request, so
/// time queued in the kernel and the client (seconds on a busy machine) is the client's alone, and interpolation can lift
/// a quantile at most to its bucket's upper bound: 2.5x the lower one in these buckets, or 5 ms in the first.
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
        var histograms = new ServerHistograms();
        var replay = await Replayer.RunAsync(scenario, scale: 0.5, observer: ReplayObservers.Of(prometheus, histograms));
        var broken = await prometheus.DashboardAsync(prometheus.Window("Broken"));
        var @fixed = await prometheus.DashboardAsync(prometheus.Window("Fixed"));

        // Assert
        foreach (var (dashboard, run) in new[] { (broken, replay.Broken), (@fixed, replay.Fixed) })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run.Variant}: requests {dashboard.Requests:N0} (replay {run.Figure("completed"):N0}), 5xx {dashboard.ServerErrors:N0} (replay errors {run.Figure("errors"):N0}), " +
                $"p99 {dashboard.P99Milliseconds:N1} ms (service's histogram {histograms.P99Milliseconds(run.Variant):N1}, client {run.Figure("p99_ms"):N1}), heap peak {dashboard.HeapPeakBytes:N0} (replay {run.Figure("heap_peak_bytes"):N0}), " +
                $"heap growth {dashboard.HeapGrowthBytes:N0} (replay retained {run.Figure("heap_retained_bytes"):N0}), queue peak {dashboard.ThreadPoolQueuePeak:N0}"));
            var what = $"{run.Variant}'s dashboard";
            dashboard.Requests.Should().Be(run.Figure("completed"), $"{what} counts the requests the replay measured");
            dashboard.ServerErrors.Should().Be(run.Figure("errors"), $"{what} counts the 5xx the replay saw (lab 02 answers none)");
            dashboard.HeapGrowthBytes.Should().BeApproximately(run.Figure("heap_retained_bytes"),
                Math.Max(2 * 1024 * 1024, Math.Abs(run.Figure("heap_retained_bytes")) * 0.10), $"{what} reads the heap the replay read after its full collections");
            dashboard.P99Milliseconds.Should().BeApproximately(histograms.P99Milliseconds(run.Variant), histograms.P99Milliseconds(run.Variant) * 0.05,
                $"{what} p99 interpolates the buckets the service itself counted over the load");
            dashboard.P99Milliseconds.Should().BeLessThanOrEqualTo(Math.Max(run.Figure("p99_ms") * 2.5, 5),
                $"{what} p99 times a part of what the client timed, lifted at most to its bucket's upper bound");
        }
        broken.HeapPeakBytes.Should().BeInRange(replay.Broken.Figure("heap_peak_bytes") * 0.75, replay.Broken.Figure("heap_peak_bytes") * 1.25,
            "Broken's dashboard scrapes the heap gauge the replay samples, and the leak's heap peaks at the end of the load");
        broken.HeapGrowthBytes.Should().BeGreaterThan(20 * @fixed.HeapGrowthBytes + 20 * 1024 * 1024, "the leak shows on the dashboard as it does in the replay");
    }

    /// <summary>
    /// The service's own request-duration buckets over the measured load: scraped when it starts and ends (after the
    /// Prometheus observer has waited for its scrape, so both see the same requests), less the start.
    /// </summary>
    private sealed class ServerHistograms : IReplayObserver
    {
        private const string Buckets = "http_server_request_duration_seconds_bucket";
        private readonly Dictionary<string, MetricsSnapshot> _starts = new(StringComparer.Ordinal);
        private readonly Dictionary<string, MetricsSnapshot> _loads = new(StringComparer.Ordinal);

        public double P99Milliseconds(string variant) =>
            1000 * (_loads[variant].HistogramQuantile("http_server_request_duration_seconds", 0.99)
                    ?? throw new InvalidOperationException($"{variant}'s service counted no routed request over the load."));

        public Task ServiceStartedAsync(string variant, LabService service, CancellationToken ct) => Task.CompletedTask;

        public async Task LoadStartingAsync(string variant, LabService service, CancellationToken ct) =>
            _starts[variant] = await ScrapeAsync(service, ct);

        public async Task LoadEndedAsync(string variant, LabService service, CancellationToken ct)
        {
            var end = await ScrapeAsync(service, ct);
            // Routed requests only, as the dashboard asks: /metrics is answered ahead of routing and has no route.
            static string Key(MetricSample s) => string.Join(',', s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
            var start = _starts[variant].Find(Buckets).ToDictionary(Key, s => s.Value, StringComparer.Ordinal);
            _loads[variant] = new MetricsSnapshot(end.Find(Buckets)
                .Where(s => !string.IsNullOrEmpty(s.Label("http_route")))
                .Select(s => s with { Value = s.Value - start.GetValueOrDefault(Key(s)) })
                .ToList());
        }

        private static async Task<MetricsSnapshot> ScrapeAsync(LabService service, CancellationToken ct)
        {
            using var reader = new MetricsReader(service.BaseAddress) { Timeout = TimeSpan.FromSeconds(30) };
            return await reader.ScrapeAsync(ct);
        }
    }
}
