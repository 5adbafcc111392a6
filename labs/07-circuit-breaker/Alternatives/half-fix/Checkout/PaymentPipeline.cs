using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Lab07.Checkout;

/// <summary>
/// what every charge goes through: timeouts, a bounded retry and a circuit breaker, on the injected clock. The
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
            // the whole charge, retries and their pauses included, within the payment timeout
            .AddTimeout(TimeSpan.FromMilliseconds(lab.PaymentTimeoutMs))
            // half-fix: no retry, which is what multiplied the calls
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
            // each try gets its own, shorter timeout, never more than half the budget
            .AddTimeout(TimeSpan.FromMilliseconds(Math.Min(lab.AttemptTimeoutMs, lab.PaymentTimeoutMs / 2.0)));
    }
}
