using Lab04;
using Lab04.Weather;
using Microsoft.Extensions.Options;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(WeatherMetrics.MeterName);
builder.AddLabKnobs<LabOptions>();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<WeatherMetrics>();
// FIX: one typed client from IHttpClientFactory; its handler's pool is the only place connections come from
builder.Services.AddHttpClient<WeatherProvider>((services, client) =>
    {
        client.BaseAddress = new Uri(services.GetRequiredService<IOptions<LabOptions>>().Value.DownstreamUrl);
        client.Timeout = Timeout.InfiniteTimeSpan; // FIX: the provider's own timeout covers the body too, not only the headers
    })
    .ConfigurePrimaryHttpMessageHandler(services =>
    {
        var lab = services.GetRequiredService<IOptions<LabOptions>>().Value;
        // FIX: connections recycled every two minutes, so a provider that moves (DNS) is followed without new handlers
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) };
        if (lab.MaxConnectionsPerServer > 0) handler.MaxConnectionsPerServer = lab.MaxConnectionsPerServer;
        return handler;
    })
    .SetHandlerLifetime(Timeout.InfiniteTimeSpan); // FIX: the pooled lifetime above replaces handler rotation

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapWorkshopEndpoints();
app.MapWeather();

app.Run();
