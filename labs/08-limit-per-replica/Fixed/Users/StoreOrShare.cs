using System.Diagnostics;
using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace Lab08.Users;

// FIX: the shared bucket and its fallback, which every limiter of the fix builds on (CallerLimits.cs puts them together).

/// <summary>
/// Whether this replica may rely on Redis now. Down as soon as the connection fails or a command or a ping does; up
/// again once pings (one every half second) have come back for a whole second without a failure: a client that has
/// just reconnected still fails commands for a moment, and a replica that flips between the shared bucket and its
/// share would let a caller through twice.
/// </summary>
public sealed class StoreHealth : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(1);
    private long _answeringSince; // Stopwatch timestamp of the first ping answered since the last failure; 0: none

    public StoreHealth(IConnectionMultiplexer redis)
    {
        Redis = redis;
        // The connection commands go through; the subscriber's own reconnects say nothing about commands.
        redis.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive) Failed();
        };
    }

    public IConnectionMultiplexer Redis { get; }

    public bool Up => Interlocked.Read(ref _answeringSince) is var since && since != 0 && Stopwatch.GetElapsedTime(since) >= Settled;

    public void Failed() => Interlocked.Exchange(ref _answeringSince, 0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        do
        {
            try
            {
                await Redis.GetDatabase().PingAsync();
                Interlocked.CompareExchange(ref _answeringSince, Stopwatch.GetTimestamp(), 0);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                Failed();
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

/// <summary>A lease not granted here and now: the caller asks again with AcquireAsync.</summary>
internal sealed class NotYet : RateLimitLease
{
    public static readonly NotYet Instance = new();

    public override bool IsAcquired => false;

    public override IEnumerable<string> MetadataNames => [];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = null;
        return false;
    }
}

/// <summary>A refusal of the shared bucket, saying when to try again.</summary>
internal sealed class Refused(RateLimitLease inner, TimeSpan retryAfter) : RateLimitLease
{
    public override bool IsAcquired => false;

    public override IEnumerable<string> MetadataNames => inner.MetadataNames.Append(MetadataName.RetryAfter.Name).Distinct();

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (inner.TryGetMetadata(metadataName, out metadata)) return true;
        metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
        return metadata is not null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// The shared bucket while Redis answers; this replica's share of the limit while it does not. The request is
/// decided either way: a limiter that throws would turn a store outage into an outage of the service.
/// </summary>
internal sealed class StoreOrShare(RateLimiter shared, RateLimiter local, StoreHealth store, UserMetrics metrics) : RateLimiter
{
    public override TimeSpan? IdleDuration => local.IdleDuration is { } l && shared.IdleDuration is { } s ? (l < s ? l : s) : null;

    public override RateLimiterStatistics? GetStatistics() => local.GetStatistics();

    // The middleware tries this first, on the request's thread: asking Redis is I/O, so the answer is "ask me
    // properly" (the middleware then awaits AcquireAsync), unless Redis is out of reach and the local share decides.
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        if (store.Up) return NotYet.Instance;
       
        var lease = local.AttemptAcquire(permitCount);
        if (lease.IsAcquired) metrics.DecidedLocally();
        return lease;
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (store.Up)
        {
            try
            {
                var lease = await shared.AcquireAsync(permitCount, cancellationToken);
                return lease.IsAcquired ? lease : new Refused(lease, RetryAfter);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Gone between the check and the call: the replica decides alone until Redis has answered again.
                store.Failed();
            }
        }
        metrics.DecidedLocally();
        return await local.AcquireAsync(permitCount, cancellationToken);
    }

    // When the next token comes, for Retry-After: the shared bucket's leases do not say.
    private TimeSpan RetryAfter => TimeSpan.FromSeconds(1);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            shared.Dispose();
            local.Dispose();
        }
        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await shared.DisposeAsync();
        await local.DisposeAsync();
    }
}
