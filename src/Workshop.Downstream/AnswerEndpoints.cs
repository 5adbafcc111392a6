using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;

namespace Workshop.Downstream;

/// <summary>
/// Any other path: an NDJSON answer whose first line describes the request (path, method, sequence number, the
/// connection it came on), followed by rows up to the configured size, as a service with a summary line and its
/// detail would send. The behaviour in force decides whether it comes, when, and whether whole.
/// </summary>
public static class AnswerEndpoints
{
    private static long _sequence;
    private static long _arrivals;

    // What each Idempotency-Key was answered with the first time: a repeat of the key gets the same sequence number, as
    // a payment provider answers a retried charge with the charge it took, never with a second one.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Keys = new(StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapAnswers(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/{**path}", ["GET", "POST", "PUT"], AnswerAsync);
        return app;
    }

    private static async Task AnswerAsync(HttpContext context, Behaviour behaviour, DownstreamMetrics metrics)
    {
        var b = behaviour.Current;
        var ct = context.RequestAborted;
        var mode = Affected(b.FailureRate) ? b.Mode : "ok";
        metrics.Answered(mode);
        // A request with an Idempotency-Key that is not refused is taken on arrival (a provider that hangs or cuts
        // the answer short may well have taken it); a failure takes nothing, so the key can be tried again.
        long? keyed = null;
        if (mode != "fail" && context.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key)
        {
            var fresh = Interlocked.Increment(ref _sequence);
            keyed = Keys.GetOrAdd(key, fresh);
            metrics.Keyed(isRepeat: keyed != fresh, Keys.Count);
        }
        // Held until told otherwise; then answered as the new mode says (a recovered provider answers what it held).
        while (mode == "hang")
        {
            try { await behaviour.Changed.WaitAsync(ct); }
            catch (OperationCanceledException) { return; }
            b = behaviour.Current;
            mode = b.Mode;
        }
        switch (mode)
        {
            case "slow":
                await Task.Delay(b.DelayMs, ct);
                break;
            case "fail":
                context.Response.StatusCode = b.Status;
                await context.Response.WriteAsync($"{{\"error\":\"the downstream answers {b.Status} as told\"}}\n", ct);
                return;
        }

        var sequence = keyed ?? Interlocked.Increment(ref _sequence);
        var body = Body(context, sequence, b.BodyKb);
        context.Response.ContentType = "application/x-ndjson";
        context.Response.ContentLength = body.Length;
        if (mode == "drop")
        {
            // Half the promised body, then the connection goes: the client sees the body end early.
            await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), ct);
            await context.Response.Body.FlushAsync(ct);
            context.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();
            context.Abort();
            return;
        }
        if (mode == "stall")
        {
            // The headers and a few bytes of the first line, then silence on an open connection: only a timeout that
            // covers reading the body ends the wait.
            await context.Response.Body.WriteAsync(body.AsMemory(0, 8), ct);
            await context.Response.Body.FlushAsync(ct);
            await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }
        await context.Response.Body.WriteAsync(body, ct);
    }

    // Request n is affected when n * rate crosses an integer: exactly that share of requests, evenly spread, and the
    // same sequence on every run, so a spec can count on it.
    private static bool Affected(double rate)
    {
        if (rate >= 1) return true;
        var n = Interlocked.Increment(ref _arrivals);
        return Math.Floor(n * rate) > Math.Floor((n - 1) * rate);
    }

    private static byte[] Body(HttpContext context, long sequence, int bodyKb)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{{\"path\":\"{context.Request.Path}\",\"method\":\"{context.Request.Method}\",\"sequence\":{sequence},\"connection\":\"{context.Connection.Id}\"}}\n");
        for (var row = 1; text.Length < bodyKb * 1024; row++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{{\"row\":{row},\"value\":{(sequence * 31 + row * 17) % 1000}}}\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
