using Lab08;
using Lab08.Users;
using Microsoft.AspNetCore.Authentication;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(UserMetrics.MeterName);
builder.AddLabKnobs<LabOptions>().ValidateDataAnnotations();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<UserMetrics>();
builder.Services.AddSingleton<UserStore>();
builder.Services.AddSingleton<CallerCheck>();
builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null); // FIX: a caller is its key
builder.Services.AddAuthorization();
builder.Services.AddCallerLimits(); // FIX: the callers' buckets in Redis, shared by every replica

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication(); // FIX: before the limiter, so an unknown key spends no budget
app.UseAuthorization();
app.UseRateLimiter();

app.MapWorkshopEndpoints();
app.MapUsers();

app.Run();
