using Lab07;
using Lab07.Catalog;
using Lab07.Checkout;
using Lab07.Data;
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
        client.Timeout = Timeout.InfiniteTimeSpan; // FIX: the pipeline below bounds each try and the whole charge
    });
payments.AddResilienceHandler("payments", PaymentPipeline.Configure); // FIX: timeouts, a bounded retry and a circuit breaker
payments.AddHttpMessageHandler(() => new WholeAnswers()); // FIX: inside each try, so its timeout covers the answer's body
payments.AddHttpMessageHandler<PaymentCallCounter>(); // every request that goes out, counted

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapWorkshopEndpoints();
app.MapCatalog();
app.MapCheckout();

app.Run();
