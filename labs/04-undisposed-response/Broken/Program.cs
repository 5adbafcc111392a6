using Lab04;
using Lab04.Weather;
using Microsoft.Extensions.Options;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(WeatherMetrics.MeterName);
builder.AddLabKnobs<LabOptions>();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<WeatherMetrics>();
// One handler for the whole process, so its connections are pooled and shared: a handler per request is what
// exhausts sockets. Each request wraps it in a client of its own.
builder.Services.AddSingleton(services =>
{
    var lab = services.GetRequiredService<IOptions<LabOptions>>().Value;
    var handler = new SocketsHttpHandler();
    if (lab.MaxConnectionsPerServer > 0) handler.MaxConnectionsPerServer = lab.MaxConnectionsPerServer;
    return handler;
});

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapWorkshopEndpoints();
app.MapWeather();

app.Run();
