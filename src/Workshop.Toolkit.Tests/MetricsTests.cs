using System.Globalization;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Prometheus;

namespace Workshop.Toolkit.Tests;

public sealed class MetricsTests
{
    private const string Exposition = """
        http_server_request_duration_seconds_bucket{http_route="/a",le="0.1"} 6
        http_server_request_duration_seconds_bucket{http_route="/a",le="0.5"} 50
        http_server_request_duration_seconds_bucket{http_route="/a",le="1"} 55
        http_server_request_duration_seconds_bucket{http_route="/a",le="+Inf"} 55
        http_server_request_duration_seconds_bucket{http_route="/b",le="0.1"} 4
        http_server_request_duration_seconds_bucket{http_route="/b",le="0.5"} 40
        http_server_request_duration_seconds_bucket{http_route="/b",le="1"} 45
        http_server_request_duration_seconds_bucket{http_route="/b",le="+Inf"} 45
        http_server_request_duration_seconds_count{http_route="/a"} 55
        http_server_request_duration_seconds_count{http_route="/b"} 45
        log_events_dropped_total{otel_scope_name="Lab01",reason="full"} 3
        log_events_dropped_total{otel_scope_name="Lab01",reason="error"} 4
        """;

    [Fact]
    public void Value_LabelSubset_MatchesIgnoringOtherLabels()
    {
        // Arrange
        var snapshot = MetricsSnapshot.Parse(Exposition);

        // Act
        var error = snapshot.Value("log_events_dropped_total", ("reason", "error"));
        var missing = snapshot.Value("log_events_dropped_total", ("reason", "nope"));
        var unknown = snapshot.Value("no_such_metric");

        // Assert
        error.Should().Be(4);
        missing.Should().BeNull();
        unknown.Should().BeNull();
    }

    [Fact]
    public void Sum_SeveralLabelSets_AddsThemUp()
    {
        // Arrange
        var snapshot = MetricsSnapshot.Parse(Exposition);

        // Act / Assert
        snapshot.Sum("http_server_request_duration_seconds_count").Should().Be(100);
        snapshot.Sum("log_events_dropped_total").Should().Be(7);
        snapshot.Sum("no_such_metric").Should().Be(0);
    }

    [Theory]
    [InlineData(0.5, 0.3)] // rank 50 of 100 lies in (0.1, 0.5], 40 of its 80: 0.1 + 0.4 * 40 / 80
    [InlineData(0.95, 0.75)] // rank 95 lies in (0.5, 1], 5 of its 10: 0.5 + 0.5 * 5 / 10
    [InlineData(0.05, 0.05)] // rank 5 lies in [0, 0.1], 5 of its 10
    public void HistogramQuantile_BucketsOfTwoRoutes_InterpolatesLikePromQl(double quantile, double expected)
    {
        // Arrange
        var snapshot = MetricsSnapshot.Parse(Exposition);

        // Act
        var value = snapshot.HistogramQuantile("http_server_request_duration_seconds", quantile);

        // Assert
        value.Should().BeApproximately(expected, 1e-9);
    }

    [Fact]
    public void HistogramQuantile_FilteredToOneRoute_UsesOnlyItsBuckets()
    {
        // Arrange
        var snapshot = MetricsSnapshot.Parse(Exposition);

        // Act: route /a alone, rank 27.5 of 55 lies in (0.1, 0.5], 21.5 of its 44.
        var value = snapshot.HistogramQuantile("http_server_request_duration_seconds", 0.5, ("http_route", "/a"));

        // Assert
        value.Should().BeApproximately(0.1 + 0.4 * 21.5 / 44, 1e-9);
    }

    [Fact]
    public void HistogramQuantile_RankBeyondLastFiniteBucket_ReturnsThatBound()
    {
        // Arrange
        var snapshot = MetricsSnapshot.Parse("h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 10");

        // Act / Assert
        snapshot.HistogramQuantile("h", 0.99).Should().Be(1);
        snapshot.HistogramQuantile("missing", 0.99).Should().BeNull();
    }

    [Fact]
    public async Task MetricsSampler_CounterRisingEachScrape_RecordsSeriesSummedOverLabels()
    {
        // Arrange: each scrape sees the counter one higher, plus a second label set worth 100.
        var scrapes = 0;
        var fourthScrape = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(async (context, _) =>
        {
            var n = Interlocked.Increment(ref scrapes);
            await TestServer.ReplyAsync(context, body: string.Create(CultureInfo.InvariantCulture,
                $"# TYPE scrapes_total counter\nscrapes_total{{a=\"x\"}} {n}\nscrapes_total{{a=\"y\"}} 100\n"));
            if (n == 4) fourthScrape.TrySetResult();
        });
        await using var sampler = MetricsSampler.Start(server.BaseAddress, TimeSpan.FromMilliseconds(20), "scrapes_total", "absent_metric");

        // Act: after the fourth scrape was answered, the three before it are recorded.
        await fourthScrape.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await sampler.StopAsync();

        // Assert
        var series = sampler.Series("scrapes_total");
        series.Count.Should().BeGreaterThanOrEqualTo(3);
        series.Select(p => p.Value).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        series.Select(p => p.SecondsSinceStart).Should().BeInAscendingOrder();
        sampler.First("scrapes_total").Should().Be(101);
        sampler.Peak("scrapes_total").Should().Be(sampler.Last("scrapes_total"));
        sampler.Series("absent_metric").Should().BeEmpty();
        sampler.Peak("absent_metric").Should().BeNull();
        sampler.ScrapeFailures.Should().Be(0);
    }

    [Fact]
    public async Task MetricsSampler_ServiceNeverAnswers_CountsFailuresWithoutThrowing()
    {
        // Arrange: a /metrics that hangs, as a starved service's does.
        var requests = 0;
        var thirdRequest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(async (_, stop) =>
        {
            if (Interlocked.Increment(ref requests) == 3) thirdRequest.TrySetResult();
            await Task.Delay(Timeout.Infinite, stop);
        });
        using var reader = new MetricsReader(new Uri(server.BaseAddress, "/")) { Timeout = TimeSpan.FromMilliseconds(100) };
        await using var sampler = MetricsSampler.Start(reader, TimeSpan.FromMilliseconds(20), "anything");

        // Act: scrapes run one after another, so the third request means the first two have failed.
        await thirdRequest.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await sampler.StopAsync();

        // Assert
        sampler.ScrapeFailures.Should().BeGreaterThanOrEqualTo(2);
        sampler.LastError.Should().Contain("did not answer within 100 ms");
        sampler.Series("anything").Should().BeEmpty();
    }

    [Fact]
    public async Task MetricsSampler_UnknownName_ThrowsListingSampledNames()
    {
        // Arrange
        await using var sampler = MetricsSampler.Start(new Uri($"http://127.0.0.1:{LabService.FreePort()}/"), "known_metric");

        // Act
        var act = () => sampler.Series("typo_metric");

        // Assert
        act.Should().Throw<ArgumentException>().WithMessage("*known_metric*");
    }

    [Fact]
    public async Task MetricsReader_NonSuccessStatus_Throws()
    {
        // Arrange
        await using var server = new TestServer((context, _) => TestServer.ReplyAsync(context, status: 503, body: "starting"));
        using var reader = new MetricsReader(server.BaseAddress);

        // Act
        var act = () => reader.ScrapeAsync();

        // Assert
        await act.Should().ThrowAsync<HttpRequestException>();
        reader.MetricsUri.AbsolutePath.Should().Be("/metrics");
    }
}
