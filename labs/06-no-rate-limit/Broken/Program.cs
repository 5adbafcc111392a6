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

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapWorkshopEndpoints();
app.MapUsers();

app.Run();
