using Lab04;
using Lab04.Weather;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(WeatherMetrics.MeterName);
builder.AddLabKnobs<LabOptions>();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<WeatherMetrics>();
builder.Services.AddWeatherProvider(); // FIX: one typed client from IHttpClientFactory, whose pool is the only source of connections

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapWorkshopEndpoints();
app.MapWeather();

app.Run();
