using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Workshop.ServiceKit;

namespace Lab08.Users;

/// <summary>
/// FIX: ASP.NET Core's rate limiter, in front of every lookup. Each caller (its <c>X-Client-Id</c>, or its address
/// when it sends none) gets a token bucket of <c>Lab:Burst</c> tokens refilled at <c>Lab:TokensPerSecond</c>; on top,
/// a concurrency limit keeps the CPU for the requests it can finish. A rejection is a 429 ProblemDetails with
/// <c>Retry-After</c>, counted on <c>/metrics</c> by policy.
/// </summary>
public static class CallerLimits
{
    public static IServiceCollection AddCallerLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<LabOptions>, UserMetrics>((limiter, options, metrics) =>
        {
            var lab = options.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = GlobalLimiter(lab);
            limiter.OnRejected = async (context, ct) =>
            {
                // A token bucket says when the next token comes; the concurrency limit cannot, so one second it is.
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
                            ? $"At most {lab.TokensPerSecond} requests a second, bursts of {lab.Burst}: try again in {seconds} s."
                            : $"The service is at capacity: try again in {seconds} s.",
                    },
                });
            };
        });
        return services;
    }

    /// <summary>Each caller's token bucket, then a concurrency limit for all; the workshop's own endpoints unlimited.</summary>
    public static PartitionedRateLimiter<HttpContext> GlobalLimiter(LabOptions lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(http => WorkshopServiceExtensions.IsWorkshopEndpoint(http.Request.Path)
                ? RateLimitPartition.GetNoLimiter("workshop")
                : RateLimitPartition.GetTokenBucketLimiter(Caller(http), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = lab.Burst,
                    TokensPerPeriod = lab.TokensPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                })),
            PartitionedRateLimiter.Create<HttpContext, string>(http => WorkshopServiceExtensions.IsWorkshopEndpoint(http.Request.Path)
                ? RateLimitPartition.GetNoLimiter("workshop")
                : RateLimitPartition.GetConcurrencyLimiter("cpu", _ => new ConcurrencyLimiterOptions
                {
                    // Twice the cores at work, a short queue behind them: beyond that, waiting only adds latency.
                    PermitLimit = Environment.ProcessorCount * 2,
                    QueueLimit = 100,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                })));
    }

    /// <summary>Who is calling: the <c>X-Client-Id</c> it names itself with, else its address.</summary>
    public static string Caller(HttpContext http) =>
        http.Request.Headers[UserEndpoints.ClientIdHeader].ToString() is { Length: > 0 and <= 64 } id
            ? $"client:{id}"
            : $"address:{http.Connection.RemoteIpAddress?.ToString() ?? "unknown"}";
}
