using System.Globalization;
using System.Net.Http.Headers;
using FluentAssertions;
using Workshop.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Lab01.Tests;

/// <summary>While the disk is slower than the traffic, what the log holds in memory must stay bounded.</summary>
[Collection(RunsAlone.Name)]
public sealed class RequestLogMemorySpec(ITestOutputHelper output)
{
    private const int SlowDiskMs = 200;
    private const int Requests = 4_000;
    private const int InFlight = 8;
    private const long BoundBytes = 6 * 1024 * 1024;

    [Incident("naive-fix", "half-fix")]
    public async Task Memory_WhileTheLogDiskStallsUnderLoad_StaysBounded(LabTarget target)
    {
        // Arrange: the disk takes 200 ms a write (5 lines a second); clients carry a 3 KB bearer token, as SSO tokens do.
        using var logs = new TempDirectory("lab01");
        await using var app = target.Start(("Lab:LogSinkDelayMs", $"{SlowDiskMs}"), ("Lab:LogDirectory", logs.Path));
        using var client = app.CreateClient(TimeSpan.FromSeconds(30));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new string('t', 3_000));
        _ = await SendAsync(client, 2);
        var before = Memory.RetainedBytes();

        // Act: 4,000 requests, 8 in flight.
        var (completed, stalledAt) = await SendAsync(client, Requests);
        Symptom.Absent(completed == Requests, string.Create(CultureInfo.InvariantCulture,
            $"with the log disk at {SlowDiskMs} ms a write, {completed:N0} of {Requests:N0} requests completed before the run gave up ({(stalledAt is { } at ? $"fewer than {StallFloor} in a second once {at:N0} had" : "its 60 s ran out")}); expected all of them, none waiting for the disk."));
        var grown = Memory.RetainedBytes() - before;
        var dropped = await ServiceMetrics.ReadAsync(client, "log_events_dropped_total");
        output.WriteLine($"{completed:N0} of {Requests:N0} requests completed; retained heap grew by {Memory.Megabytes(grown)}; " +
                         $"log_events_dropped_total {dropped?.ToString(CultureInfo.InvariantCulture) ?? "absent"}");

        // Assert (a service that stalled has failed already, without the collections a measurement costs)
        Symptom.AtMost(grown, BoundBytes, string.Create(CultureInfo.InvariantCulture,
            $"the retained heap grew by {Memory.Megabytes(grown)} over {Requests:N0} requests with the log disk at {SlowDiskMs} ms a write; expected under {Memory.Megabytes(BoundBytes)}, the log's buffer being bounded."));
        Symptom.Absent(dropped > 0, string.Create(CultureInfo.InvariantCulture,
            $"log_events_dropped_total on /metrics reads {dropped?.ToString("N0", CultureInfo.InvariantCulture) ?? "nothing"} after {Requests:N0} requests against a disk that takes 5 lines a second; expected the events that did not fit to be counted there."));
    }

    // A service that serves fewer than 25 requests in a second (a disk at 200 ms a write allows 5, a fifth of the floor)
    // would need minutes for the rest: the run stops there instead of waiting (a learner's broken service fails fast).
    // It is judged every second, not only in the first: a buffer that waits for room when it is full flows until it
    // fills and then serves at the disk's pace. A service that flows serves thousands a second, 100x the floor, so a
    // busy machine's pause does not pass for a stall. Anything that flows gets 60 s in all.
    private const int StallFloor = 25;
    private static readonly TimeSpan StallCheck = TimeSpan.FromSeconds(1);

    /// <summary>Sends the requests, 8 in flight; stops at the first second that served fewer than the floor.</summary>
    /// <returns>How many completed, and how many had when the run stopped for a stall (null when it did not).</returns>
    private static async Task<(int Completed, int? StalledAt)> SendAsync(HttpClient client, int count)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var completed = 0;
        int? stalledAt = null;
        var watch = Task.Run(async () =>
        {
            var last = 0;
            while (true)
            {
                try { await Task.Delay(StallCheck, stop.Token); }
                catch (OperationCanceledException) { return; }
                var now = Volatile.Read(ref completed);
                if (now < count && now - last < Math.Min(StallFloor, count - last))
                {
                    stalledAt = last;
                    await stop.CancelAsync();
                    return;
                }
                last = now;
            }
        });
        try
        {
            await RequestFlow.SendAsync(count, InFlight, (i, ct) => client.GetAsync($"/api/orders/{1 + i % 100}", ct),
                onSuccess: () => Interlocked.Increment(ref completed), ct: stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        await stop.CancelAsync();
        await watch;
        return (completed, stalledAt);
    }
}
