using Microsoft.AspNetCore.RateLimiting;
using Workshop.Pipeline;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults("Workshop.Pipeline");
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<TraceStore>();
builder.Services.AddRateLimiter(limiter =>
{
    limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    limiter.AddFixedWindowLimiter(ApiEndpoints.RateLimitPolicy, window =>
    {
        window.PermitLimit = 1;
        window.Window = TimeSpan.FromSeconds(1);
        window.QueueLimit = 0;
    });
    limiter.OnRejected = (context, _) =>
    {
        (context.HttpContext.Items[typeof(RequestTrace)] as RequestTrace)?.Add("5 rate limiter", "short-circuit: 429, the endpoint's filters never run");
        return ValueTask.CompletedTask;
    };
});

var app = builder.Build();

// The global middlewares, outermost first; routing has already chosen the endpoint (WebApplication adds it first).
app.UseTracing();
app.UseErrors();
app.UseTiming();
app.UseApiKey();
app.UseRateLimiter();

app.MapWorkshopEndpoints();
app.MapApi();
app.MapGet("/traces/{id}", (string id, TraceStore store) =>
    store.Find(id) is { } steps ? Results.Ok(steps) : Results.Problem(statusCode: 404, title: "No such trace"));

app.Run();
