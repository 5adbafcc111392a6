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
/// Another correct fix: a sliding window per authenticated caller in Redis (<c>Lab:Burst</c> requests in any window of
/// <c>Lab:Burst / Lab:TokensPerSecond</c> seconds, RedisRateLimiting's sliding window) instead of a token bucket, so
/// every replica spends from the same window and a caller gets its limit however many replicas there are. When Redis
/// cannot be reached, each replica falls back to a fixed window of its own holding its share of the limit
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
        var window = TimeSpan.FromSeconds(Math.Max(1, lab.Burst / lab.TokensPerSecond));
        var shared = new RedisSlidingWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            PermitLimit = lab.Burst,
            Window = window,
        };
        var share = new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, lab.Burst / lab.Replicas),
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        return PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(http => Caller(http) is { } caller
                ? RateLimitPartition.Get(caller, key => new StoreOrShare(new RedisSlidingWindowRateLimiter<string>($"lab08:window:{key}", shared), new FixedWindowRateLimiter(share), store, metrics))
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
}
