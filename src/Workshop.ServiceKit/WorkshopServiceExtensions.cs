using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Workshop.ServiceKit;

/// <summary>The contract every lab service keeps: <c>GET /healthz</c> and <c>GET /metrics</c> (Prometheus text).</summary>
public static class WorkshopServiceExtensions
{
    /// <summary>
    /// Registers health checks and OpenTelemetry metrics: the runtime (GC heap, thread pool queue), ASP.NET Core's
    /// request-duration histogram, and the lab's own meter, exported in Prometheus text format.
    /// </summary>
    public static WebApplicationBuilder AddWorkshopDefaults(this WebApplicationBuilder builder, string labMeterName)
    {
        builder.Services.AddHealthChecks();
        builder.Services.AddTransient<IStartupFilter, MetricsFirst>();
        builder.Services.AddSingleton<RuntimeGauges>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddMeter(RuntimeGauges.MeterName, labMeterName)
            // Sub-millisecond buckets too: the fixed services answer in microseconds, the broken ones in seconds.
            .AddView("http.server.request.duration", new ExplicitBucketHistogramConfiguration
            {
                Boundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
            })
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return builder;
    }

    /// <summary>The configuration section of the incident knobs (environment: <c>Lab__Name=value</c>).</summary>
    public const string KnobSection = "Lab";

    /// <summary>
    /// Knobs that another variant of the lab reads and this one may not (a comma-separated list of names): a replay or
    /// a spec sets the same knobs on every variant, and a knob only the fix reads is no mistake on Broken. The test kit
    /// and the toolkit set it from the variants' own <c>appsettings.json</c> files.
    /// </summary>
    public const string OtherVariantsKnobsKey = "Workshop:OtherVariantsKnobs";

    /// <summary>
    /// True (<c>Workshop:Control=true</c>, set by <c>workshop live</c>) to serve <c>GET|PUT /workshop/knobs</c> to loopback
    /// callers: the incident knobs read and set while the service runs. Off unless set: a service in production has no
    /// business taking orders over HTTP.
    /// </summary>
    public const string ControlKey = "Workshop:Control";

    /// <summary>
    /// With <see cref="ControlKey"/>: a loopback port on which a thread of the service's own serves the same knob
    /// endpoint, out of the thread pool's reach (a starved pool holds up every request of the service's own port).
    /// </summary>
    public const string ControlPortKey = "Workshop:ControlPort";

    /// <summary>
    /// Binds the incident knobs (the <c>Lab</c> section) to <typeparamref name="TOptions"/>, checked at start: a
    /// <c>Lab:</c> key the service does not read (nor another variant, per <see cref="OtherVariantsKnobsKey"/>) stops
    /// it with a message naming the key, so a replay, a spec or a learner that sets a misspelt or renamed knob finds
    /// out at once instead of measuring the defaults.
    /// </summary>
    public static OptionsBuilder<TOptions> AddLabKnobs<TOptions>(this WebApplicationBuilder builder) where TOptions : class
    {
        // Last of the configuration sources: a knob set live (workshop live) wins over appsettings and the environment.
        var live = new LiveKnobsSource();
        ((IConfigurationBuilder)builder.Configuration).Add(live);
        builder.Services.AddSingleton(live);
        builder.Services.AddSingleton<ILabKnobs, LabKnobsOf<TOptions>>();
        builder.Services.AddHostedService<ControlPortListener>();
        builder.Services.AddSingleton<IValidateOptions<TOptions>, KnownKnobs<TOptions>>();
        return builder.Services.AddOptions<TOptions>()
            .Bind(builder.Configuration.GetSection(KnobSection))
            .ValidateOnStart();
    }

    public static WebApplication MapWorkshopEndpoints(this WebApplication app)
    {
        // Materialise the gauges so they are observed from the first scrape on.
        _ = app.Services.GetRequiredService<RuntimeGauges>();
        app.MapHealthChecks("/healthz");
        return app;
    }

    /// <summary>
    /// Serves /metrics ahead of every middleware of the lab's own, as a scraping endpoint usually sits, so the
    /// figures of a service that is stuck in its own pipeline stay readable. /healthz stays behind them: whether
    /// it answers is part of what the labs show.
    /// </summary>
    private sealed class MetricsFirst : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint("/metrics");
            // The knobs too: an instructor must be able to turn a stalled service's disk back to fast.
            if (app.ApplicationServices.GetRequiredService<IConfiguration>().GetValue<bool>(ControlKey))
            {
                app.Map(LiveKnobsEndpoint.Path, knobs => knobs.Run(LiveKnobsEndpoint.HandleAsync));
            }
            next(app);
        };
    }

    /// <summary>True for the workshop's own endpoints, which request logs and load figures leave out.</summary>
    public static bool IsWorkshopEndpoint(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/workshop");
}
