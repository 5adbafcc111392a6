using Lab07;
using Lab07.Catalog;
using Lab07.Checkout;
using Lab07.Data;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
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
        client.Timeout = Timeout.InfiniteTimeSpan;
    });
payments.AddStandardResilienceHandler().Configure((standard, services) =>
{
    var lab = services.GetRequiredService<IOptions<LabOptions>>().Value;
    standard.TotalRequestTimeout.Timeout = TimeSpan.FromMilliseconds(lab.PaymentTimeoutMs);
    // A third of the budget at most, so that a hung try fails inside it, where the breaker sees it.
    standard.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(Math.Min(lab.AttemptTimeoutMs, lab.PaymentTimeoutMs / 3.0));
    standard.Retry.MaxRetryAttempts = 2;
    standard.Retry.Delay = TimeSpan.FromMilliseconds(200);
    standard.CircuitBreaker.MinimumThroughput = 4;
    // Half, as the reference: a try the total timeout cancels is not a failure to the breaker, and counts as a success.
    standard.CircuitBreaker.FailureRatio = 0.5;
    standard.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(lab.BreakDurationSeconds);
    // The standard options insist on a sampling window of two attempt timeouts at least.
    standard.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(60, 2 * standard.AttemptTimeout.Timeout.TotalSeconds));
});
payments.AddHttpMessageHandler<PaymentCallCounter>(); // every request that goes out, counted

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapWorkshopEndpoints();
app.MapCatalog();
app.MapCheckout();

app.Run();
