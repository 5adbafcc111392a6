using System.Globalization;
using System.Threading.RateLimiting;
using Lab06;
using Lab06.Users;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(UserMetrics.MeterName);
builder.AddLabKnobs<LabOptions>().ValidateDataAnnotations();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<UserMetrics>();
builder.Services.AddSingleton<UserStore>();
builder.Services.AddSingleton<CallerCheck>();
// A fixed window per caller: Lab:TokensPerSecond requests in each second, 429 with Retry-After beyond.
builder.Services.AddRateLimiter(_ => { });
builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<LabOptions>>((limiter, lab) =>
{
    limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => WorkshopServiceExtensions.IsWorkshopEndpoint(http.Request.Path)
        ? RateLimitPartition.GetNoLimiter("workshop")
        : RateLimitPartition.GetFixedWindowLimiter(http.Request.Headers[UserEndpoints.ClientIdHeader].ToString(), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = lab.Value.TokensPerSecond,
            Window = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        }));
    limiter.OnRejected = (context, _) =>
    {
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return ValueTask.CompletedTask;
    };
});

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRateLimiter();

app.MapWorkshopEndpoints();
app.MapUsers();

app.Run();
