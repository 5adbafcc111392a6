using System.Collections.Concurrent;
using System.Diagnostics;

namespace Lab06.Replay;

/// <summary>What a retry storm sent and got.</summary>
/// <param name="Sent">Requests sent, retries included.</param>
/// <param name="Retries">Of those, immediate retries of a 5xx or a transport error.</param>
/// <param name="ByStatus">Answers by status code ("200", "404", "429", "500"), "error" for a transport failure.</param>
/// <param name="Elapsed">From the first request to the end.</param>
/// <param name="Finished">True when every path of the job got a final answer before the storm was stopped.</param>
public sealed record StormResult(long Sent, long Retries, IReadOnlyDictionary<string, long> ByStatus, TimeSpan Elapsed, bool Finished)
{
    /// <summary>The count for one status, 0 if none.</summary>
    public long Count(string status) => ByStatus.GetValueOrDefault(status);

    /// <summary>Requests sent per second.</summary>
    public double PerSecond => Sent / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Sent:N0} requests ({Retries:N0} immediate retries) in {Elapsed.TotalSeconds:0.0} s, {PerSecond:N0}/s, " +
        $"{(Finished ? "job finished" : "job unfinished")}; {string.Join(", ", ByStatus.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}: {s.Value:N0}"))}";
}

/// <summary>
/// The lab's misbehaving client, once for the spec, the replay and the notebook (which load it from this project): a batch job that fetches a list of
/// paths with several workers and retries every 5xx (and every transport error) at once, in a loop, with no backoff
/// and no limit, because "the server must be having a hiccup". It is not malicious: a 4xx is final, so it moves on,
/// and a 429 with <c>Retry-After</c> is honoured, so it waits.
/// </summary>
public static class RetryStorm
{
    /// <summary>The header the client names itself with.</summary>
    public const string ClientIdHeader = "X-Client-Id";

    /// <summary>
    /// Runs the job until every path has a final answer, <paramref name="maxDuration"/> passes, <paramref name="maxSent"/>
    /// requests have gone out, or <paramref name="ct"/> is cancelled.
    /// </summary>
    /// <param name="client">A client for the service.</param>
    /// <param name="clientId">Sent as <c>X-Client-Id</c> with every request.</param>
    /// <param name="paths">The job: one GET per path.</param>
    /// <param name="workers">Requests in flight.</param>
    /// <param name="maxDuration">When the storm is stopped if it has not finished.</param>
    /// <param name="ct">Stops the storm.</param>
    /// <param name="maxSent">Stops a storm that has sent this many requests (retries included): one that has sent several
    /// times its job has answered already, and need not run out its time.</param>
    public static async Task<StormResult> RunAsync(HttpClient client, string clientId, IReadOnlyList<string> paths, int workers, TimeSpan maxDuration,
        CancellationToken ct = default, long maxSent = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(maxDuration);
        var statuses = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        long sent = 0, retries = 0, next = -1, done = 0;
        var clock = Stopwatch.StartNew();

        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= paths.Count) return;
                for (var attempt = 0; !stop.IsCancellationRequested; attempt++)
                {
                    if (attempt > 0) Interlocked.Increment(ref retries);
                    if (Interlocked.Increment(ref sent) > maxSent)
                    {
                        Interlocked.Decrement(ref sent);
                        await stop.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                    var (status, retryAfter) = await SendAsync(client, clientId, paths[(int)index], stop.Token).ConfigureAwait(false);
                    if (status is null) return; // stopped
                    statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                    if (status == "429")
                    {
                        // Told when to come back: it does, and tries the same path again.
                        try { await Task.Delay(retryAfter ?? TimeSpan.FromSeconds(1), stop.Token).ConfigureAwait(false); }
                        catch (OperationCanceledException) { return; }
                        continue;
                    }
                    if (status == "error" || status[0] == '5') continue; // at once, no backoff: the storm
                    Interlocked.Increment(ref done);
                    break;
                }
            }
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return new StormResult(Interlocked.Read(ref sent), Interlocked.Read(ref retries), new Dictionary<string, long>(statuses), clock.Elapsed,
            Interlocked.Read(ref done) == paths.Count);
    }

    private static async Task<(string? Status, TimeSpan? RetryAfter)> SendAsync(HttpClient client, string clientId, string path, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add(ClientIdHeader, clientId);
            using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            return (((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), retryAfter);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return (null, null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return ("error", null);
        }
    }
}
