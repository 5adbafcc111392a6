using Workshop.Downstream;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(DownstreamMetrics.MeterName);
builder.Services.AddSingleton<DownstreamMetrics>();
builder.Services.AddSingleton<Behaviour>();
builder.Services.Configure<BehaviourOptions>(builder.Configuration.GetSection(BehaviourOptions.Section));
// Every connection counted as Kestrel accepts it and again as it closes, whatever runs on it.
builder.WebHost.ConfigureKestrel((context, kestrel) => kestrel.ConfigureEndpointDefaults(listen =>
    listen.Use(next => async connection =>
    {
        var metrics = kestrel.ApplicationServices.GetRequiredService<DownstreamMetrics>();
        metrics.Accepted();
        try
        {
            await next(connection);
        }
        finally
        {
            metrics.Closed();
        }
    })));

var app = builder.Build();

app.MapWorkshopEndpoints();
app.MapControl();
app.MapAnswers();

app.Run();
