using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;
using Workshop.ServiceKit;

namespace Lab08.Users;

/// <summary>
/// The half-fix: each authenticated caller's token bucket in Redis, shared by every replica, straight from
/// RedisRateLimiting. Right while Redis answers; when it does not, the limiter throws, and every request is a 500.
/// </summary>
public static class CallerLimits
{
    public static IServiceCollection AddCallerLimits(this IServiceCollection services)
    {
        services.AddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(Store(sp.GetRequiredService<IOptions<LabOptions>>().Value.Redis)));
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<LabOptions>, UserMetrics, IConnectionMultiplexer>((limiter, options, metrics, redis) =>
        {
            var lab = options.Value;
            metrics.WatchStore(() => redis.IsConnected);
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = GlobalLimiter(lab, redis, metrics);
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

    public static PartitionedRateLimiter<HttpContext> GlobalLimiter(LabOptions lab, IConnectionMultiplexer redis, UserMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(http => Caller(http) is { } caller
                ? RedisRateLimitPartition.GetTokenBucketRateLimiter($"lab08:{caller}", _ => new RedisTokenBucketRateLimiterOptions
                {
                    ConnectionMultiplexerFactory = () => redis,
                    TokenLimit = lab.Burst,
                    TokensPerPeriod = lab.TokensPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                })
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

    public static string? Caller(HttpContext http) =>
        WorkshopServiceExtensions.IsWorkshopEndpoint(http.Request.Path) ? null : http.User.Identity?.Name ?? "anonymous";
}
