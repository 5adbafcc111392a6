namespace Workshop.TestKit;

/// <summary>N requests, M at a time: how a spec puts steady load on a service when the order of the answers does not matter.</summary>
public static class RequestFlow
{
    /// <summary>
    /// Sends <paramref name="count"/> requests (<paramref name="send"/> with each index), <paramref name="inFlight"/> at
    /// a time, and returns how many were answered with a success status.
    /// </summary>
    /// <param name="mustSucceed">When true, the first answer outside 2xx throws, naming its status: the load is the
    /// setting, not what the spec judges.</param>
    /// <param name="onSuccess">Called at each success as it comes, for a watchdog that judges progress while the flow runs.</param>
    /// <param name="ct">Stops the flow: requests in flight are cancelled and the cancellation is thrown.</param>
    public static async Task<int> SendAsync(int count, int inFlight, Func<int, CancellationToken, Task<HttpResponseMessage>> send,
        bool mustSucceed = true, Action? onSuccess = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(send);
        var succeeded = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = ct },
            async (i, token) =>
            {
                using var response = await send(i, token).ConfigureAwait(false);
                if (mustSucceed) response.EnsureSuccessStatusCode();
                if (!response.IsSuccessStatusCode) return;
                Interlocked.Increment(ref succeeded);
                onSuccess?.Invoke();
            }).ConfigureAwait(false);
        return succeeded;
    }
}
