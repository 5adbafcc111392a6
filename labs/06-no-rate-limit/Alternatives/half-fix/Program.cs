using Lab06;
using Lab06.Users;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(UserMetrics.MeterName);
builder.AddLabKnobs<LabOptions>().ValidateDataAnnotations();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<UserMetrics>();
builder.Services.AddSingleton<UserStore>();
builder.Services.AddSingleton<CallerCheck>();
builder.Services.AddCallerLimits(); // half-fix: a token bucket per caller and a concurrency limit, before any work is done

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRateLimiter(); // half-fix: rejected requests cost a dictionary lookup, not a PBKDF2

app.MapWorkshopEndpoints();
app.MapUsers();

app.Run();
