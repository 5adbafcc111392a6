using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Lab07.Checkout;

/// <summary>
/// FIX: what every charge goes through: timeouts, a bounded retry and a circuit breaker, on the injected clock. The
/// order matters: the total timeout outside the retry bounds the whole charge; the attempt timeout inside the breaker
/// turns a hung try into a failure the breaker counts; the retry outside the breaker stops as soon as it refuses.
/// </summary>
public static class PaymentPipeline
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context)
    {
        var lab = context.ServiceProvider.GetRequiredService<IOptions<LabOptions>>().Value;
        var metrics = context.ServiceProvider.GetRequiredService<ShopMetrics>();
        pipeline
            // FIX: the whole charge, retries and their pauses included, within the payment timeout
            .AddTimeout(TimeSpan.FromMilliseconds(lab.PaymentTimeoutMs))
            // FIX: two retries at most, for 5xx, timeouts and broken connections only, apart by a jittered backoff
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            // FIX: half the calls failing over 30 s (5 calls at least) stops calls for the break, then one probe
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 5,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(lab.BreakDurationSeconds),
                OnOpened = _ => metrics.BreakerIs("open"),
                OnHalfOpened = _ => metrics.BreakerIs("half_open"),
                OnClosed = _ => metrics.BreakerIs("closed"),
            })
            // FIX: each try gets its own, shorter timeout, so a hung try leaves time for another; never more than half
            // FIX: the budget, or the total timeout would end a hung try first, as a cancellation the breaker never counts
            .AddTimeout(TimeSpan.FromMilliseconds(Math.Min(lab.AttemptTimeoutMs, lab.PaymentTimeoutMs / 2.0)));
    }
}
