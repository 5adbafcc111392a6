using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Workshop.ServiceKit;

namespace Lab08.Users;

/// <summary>
/// Deletes the feature: one request a day for all callers together. No caller ever gets more than its limit, Redis or
/// no Redis, because nobody gets anything; the spec's guard, a caller within its limit being served, must keep it red.
/// </summary>
public static class CallerLimits
{
    public static IServiceCollection AddCallerLimits(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "86400";
                return ValueTask.CompletedTask;
            };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => WorkshopServiceExtensions.IsWorkshopEndpoint(http.Request.Path)
                ? RateLimitPartition.GetNoLimiter("workshop")
                : RateLimitPartition.GetTokenBucketLimiter("everyone", _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = 1,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = TimeSpan.FromDays(1),
                    QueueLimit = 0,
                }));
        });
}
