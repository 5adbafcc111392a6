using Lab07;
using Lab07.Catalog;
using Lab07.Checkout;
using Lab07.Data;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(ShopMetrics.MeterName);
builder.AddLabKnobs<LabOptions>().ValidateDataAnnotations();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<ShopMetrics>();
builder.Services.AddSingleton<ShopDatabase>();
builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
builder.Services.AddTransient<PaymentCallCounter>();
var payments = builder.Services.AddHttpClient<PaymentClient>((services, client) =>
    {
        var lab = services.GetRequiredService<IOptions<LabOptions>>().Value;
        client.BaseAddress = new Uri(lab.PaymentUrl);
        client.Timeout = Timeout.InfiniteTimeSpan; // FIX: the pipeline below bounds each try and the whole charge
    });
// FIX: every charge goes through timeouts, a bounded retry and a circuit breaker, on the injected clock
payments.AddResilienceHandler("payments", (pipeline, context) =>
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
            // FIX: each try gets its own, shorter timeout, so a hung try leaves time for another
            .AddTimeout(TimeSpan.FromMilliseconds(lab.AttemptTimeoutMs));
    });
payments.AddHttpMessageHandler<PaymentCallCounter>(); // every request that goes out, counted

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapWorkshopEndpoints();
app.MapCatalog();
app.MapCheckout();

app.Run();
