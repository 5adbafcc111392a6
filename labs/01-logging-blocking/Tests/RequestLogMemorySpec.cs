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

    [Incident("naive-fix")]
    public async Task Memory_WhileTheLogDiskStallsUnderLoad_StaysBounded(LabTarget target)
    {
        // Arrange: the disk takes 200 ms a write (5 lines a second); clients carry a 3 KB bearer token, as SSO tokens do.
        using var logs = new TempDirectory("lab01");
        await using var app = target.Start(("Lab:LogSinkDelayMs", $"{SlowDiskMs}"), ("Lab:LogDirectory", logs.Path));
        using var client = app.CreateClient(TimeSpan.FromSeconds(30));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new string('t', 3_000));
        await SendAsync(client, 2);
        var before = Memory.RetainedBytes();

        // Act: 4,000 requests, 8 in flight.
        var completed = await SendAsync(client, Requests);
        Symptom.Absent(completed == Requests, string.Create(CultureInfo.InvariantCulture,
            $"with the log disk at {SlowDiskMs} ms a write, {completed:N0} of {Requests:N0} requests completed before the run gave up (fewer than {StallFloor} in its first {StallCheck.TotalSeconds:N0} s); expected all of them."));
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

    // A service that cannot serve 50 requests in 2 s (a disk at 200 ms a write allows 10) would need minutes for the
    // rest: the run stops there instead of waiting (a learner's broken service fails fast). 2 s, not 1: a service that
    // flows serves thousands a second, and a busy machine's pause at the start must not pass for a stall. Anything that
    // flows gets 60 s in all.
    private const int StallFloor = 50;
    private static readonly TimeSpan StallCheck = TimeSpan.FromSeconds(2);

    private static async Task<int> SendAsync(HttpClient client, int count)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var completed = 0;
        var watch = Task.Delay(StallCheck, stop.Token).ContinueWith(_ =>
        {
            if (Volatile.Read(ref completed) < Math.Min(StallFloor, count)) stop.Cancel();
        }, TaskScheduler.Default);
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = stop.Token },
                async (i, ct) =>
                {
                    using var response = await client.GetAsync($"/api/orders/{1 + i % 100}", ct);
                    response.EnsureSuccessStatusCode();
                    Interlocked.Increment(ref completed);
                });
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        await stop.CancelAsync();
        await watch;
        return completed;
    }

}
