using Lab08;
using Lab08.Users;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(UserMetrics.MeterName);
builder.AddLabKnobs<LabOptions>().ValidateDataAnnotations();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<UserMetrics>();
builder.Services.AddSingleton<UserStore>();
builder.Services.AddSingleton<CallerCheck>();
builder.Services.AddCallerLimits();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRateLimiter();

app.MapWorkshopEndpoints();
app.MapUsers();

app.Run();
