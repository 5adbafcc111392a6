using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;
using Workshop.ServiceKit;

namespace Lab08.Users;

/// <summary>
/// FIX: each caller's token bucket lives in Redis, so every replica spends from the same one and a caller gets its
/// limit however many replicas there are (RedisRateLimiting's token bucket: one round trip a request). When Redis
/// cannot be reached, each replica falls back to a bucket of its own holding its share of the limit
/// (<c>Lab:Burst</c> / <c>Lab:Replicas</c>), so all of them together still allow about one limit, and the request
/// gets an answer, never a 500; those decisions are counted on <c>/metrics</c>. A concurrency limit keeps the CPU for
/// the requests it can finish, as before.
/// </summary>
public static class CallerLimits
{
    public static IServiceCollection AddCallerLimits(this IServiceCollection services)
    {
        services.AddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(Store(sp.GetRequiredService<IOptions<LabOptions>>().Value.Redis)));
        services.AddSingleton<StoreHealth>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreHealth>());
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<LabOptions>, UserMetrics, StoreHealth>((limiter, options, metrics, store) =>
        {
            var lab = options.Value;
            metrics.WatchStore(() => store.Up);
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = GlobalLimiter(lab, store, metrics);
            limiter.OnRejected = async (context, ct) =>
            {
                var policy = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? "per-client" : "concurrency";
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                metrics.Rejected(policy);
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = policy == "per-client"
                            ? $"At most {lab.TokensPerSecond} requests a second, bursts of {lab.Burst}, across the service: try again in {seconds} s."
                            : $"The service is at capacity: try again in {seconds} s.",
                    },
                });
            };
        });
        return services;
    }

    /// <summary>
    /// How a replica talks to Redis: it starts even when Redis is down (and keeps trying), and gives up on a command
    /// within a quarter of a second, so a store that is gone costs a request that long at most before the fallback decides.
    /// </summary>
    public static ConfigurationOptions Store(string endpoint) => new()
    {
        EndPoints = { endpoint },
        AbortOnConnectFail = false,
        ConnectTimeout = 1_000,
        SyncTimeout = 250,
        AsyncTimeout = 250,
        ConnectRetry = 1,
        ReconnectRetryPolicy = new LinearRetry(500),
        ClientName = "lab08-users",
    };

    /// <summary>Each authenticated caller's shared bucket (or its local share), then a concurrency limit for all.</summary>
    public static PartitionedRateLimiter<HttpContext> GlobalLimiter(LabOptions lab, StoreHealth store, UserMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(store);
        var redis = store.Redis;
        var shared = new RedisTokenBucketRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            TokenLimit = lab.Burst,
            TokensPerPeriod = lab.TokensPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        };
        var share = new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, lab.Burst / lab.Replicas),
            TokensPerPeriod = Math.Max(1, lab.TokensPerSecond / lab.Replicas),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        return PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(http => Caller(http) is { } caller
                ? RateLimitPartition.Get(caller, key => new StoreOrShare(new RedisTokenBucketRateLimiter<string>($"lab08:{key}", shared), new TokenBucketRateLimiter(share), store, metrics))
                : RateLimitPartition.GetNoLimiter("workshop")),
            PartitionedRateLimiter.Create<HttpContext, string>(http => WorkshopServiceExtensions.IsWorkshopEndpoint(http.Request.Path)
                ? RateLimitPartition.GetNoLimiter("workshop")
                : RateLimitPartition.GetConcurrencyLimiter("cpu", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = Environment.ProcessorCount * 2,
                    QueueLimit = 100,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                })));
    }

    /// <summary>The authenticated caller, or null for the workshop's own endpoints (an unauthenticated call never gets this far: it is a 401).</summary>
    public static string? Caller(HttpContext http) =>
        WorkshopServiceExtensions.IsWorkshopEndpoint(http.Request.Path) ? null : http.User.Identity?.Name ?? "anonymous";

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
    private sealed class NotYet : RateLimitLease
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
    private sealed class Refused(RateLimitLease inner, TimeSpan retryAfter) : RateLimitLease
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
    private sealed class StoreOrShare(RateLimiter shared, RateLimiter local, StoreHealth store, UserMetrics metrics) : RateLimiter
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
}
