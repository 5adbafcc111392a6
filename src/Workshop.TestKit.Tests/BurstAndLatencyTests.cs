using FluentAssertions;
using Xunit;

namespace Workshop.TestKit.Tests;

public sealed class BurstAndLatencyTests
{
    [Fact]
    public async Task Burst_WithCountRequests_HasThemAllInFlightTogether()
    {
        // Arrange: every request parks until all of them have started, so only a true simultaneous release completes.
        const int count = 16;
        var started = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Act
        var outcome = await Burst.SendAsync(count, async (_, ct) =>
        {
            if (Interlocked.Increment(ref started) == count) allStarted.SetResult();
            await allStarted.Task.WaitAsync(ct);
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        }, TimeSpan.FromSeconds(10));

        // Assert
        outcome.Succeeded.Should().Be(count, "all {0} requests were in flight at once ({1})", count, outcome);
        outcome.TimedOut.Should().Be(0);
    }

    [Fact]
    public async Task Burst_WithAStalledRequest_CountsItAsTimedOut()
    {
        // Arrange
        var never = new TaskCompletionSource<HttpResponseMessage>();

        // Act
        var outcome = await Burst.SendAsync(3, (i, ct) => i == 0 ? never.Task.WaitAsync(ct) : Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK)),
            TimeSpan.FromMilliseconds(200));

        // Assert
        outcome.TimedOut.Should().Be(1);
        outcome.Succeeded.Should().Be(2);
        outcome.Results.Single(r => r.TimedOut).Latency.Should().BeGreaterThan(TimeSpan.FromMilliseconds(150), "it ran until the 200 ms deadline (timers fire within a few ms)");
    }

    [Theory]
    [InlineData(50, 50)]
    [InlineData(95, 95)]
    [InlineData(99, 99)]
    [InlineData(100, 100)]
    [InlineData(0, 1)]
    public void Percentile_OfOneToHundredMs_IsNearestRank(double percentile, int expectedMs)
    {
        // Arrange
        var latencies = Enumerable.Range(1, 100).Select(i => TimeSpan.FromMilliseconds(i)).Reverse().ToList();

        // Act
        var summary = LatencySummary.Of(latencies);
        var value = LatencySummary.Percentile(latencies.Order().ToList(), percentile);

        // Assert
        value.Should().Be(TimeSpan.FromMilliseconds(expectedMs));
        summary.P95.Should().Be(TimeSpan.FromMilliseconds(95));
        summary.Max.Should().Be(TimeSpan.FromMilliseconds(100));
    }
}
