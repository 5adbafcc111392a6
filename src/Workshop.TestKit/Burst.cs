using System.Diagnostics;
using System.Net;

namespace Workshop.TestKit;

/// <summary>One request's outcome in a burst.</summary>
public sealed record BurstResult(int Index, HttpStatusCode? Status, TimeSpan Latency, bool TimedOut);

/// <summary>Sends requests that are all released at the same instant, so they contend for whatever the service shares.</summary>
public static class Burst
{
    /// <summary>
    /// Prepares <paramref name="count"/> requests, releases them together, and waits for all of them. Each request's
    /// latency runs from the release; a request still running after <paramref name="timeout"/> is cancelled and
    /// counted as timed out with that latency.
    /// </summary>
    public static async Task<BurstOutcome> SendAsync(int count, Func<int, CancellationToken, Task<HttpResponseMessage>> send, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var deadline = new CancellationTokenSource();
        long released = 0;

        async Task<BurstResult> One(int index)
        {
            await gate.Task.ConfigureAwait(false);
            try
            {
                using var response = await send(index, deadline.Token).ConfigureAwait(false);
                return new BurstResult(index, response.StatusCode, Stopwatch.GetElapsedTime(released), false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                return new BurstResult(index, null, Stopwatch.GetElapsedTime(released), true);
            }
        }

        var tasks = Enumerable.Range(0, count).Select(One).ToArray();
        released = Stopwatch.GetTimestamp();
        deadline.CancelAfter(timeout);
        gate.SetResult();
        return new BurstOutcome(await Task.WhenAll(tasks).ConfigureAwait(false));
    }
}

/// <summary>All the outcomes of a burst, with the latency summary the assertions read.</summary>
public sealed record BurstOutcome(IReadOnlyList<BurstResult> Results)
{
    public LatencySummary Latency => LatencySummary.Of(Results.Select(r => r.Latency));
    public int TimedOut => Results.Count(r => r.TimedOut);
    public int Succeeded => Results.Count(r => r.Status is { } s && (int)s < 400);
    public override string ToString() => $"{Results.Count} requests, {Succeeded} succeeded, {TimedOut} timed out; {Latency}";
}
