using System.Diagnostics;

namespace Workshop.Pipeline;

/// <summary>
/// The global middlewares, outermost first. Each one writes down "before" when the request reaches it and "after"
/// when the rest of the pipeline has returned, so a trace shows the onion: in through every layer, out in reverse.
/// </summary>
public static class Layers
{
    public const string TraceHeader = "X-Trace-Id";
    public const string ApiKeyHeader = "X-Api-Key";
    public const string ApiKey = "let-me-in";

    /// <summary>Outermost: starts the request's trace, names it in a header, keeps it once everything has returned.</summary>
    public static IApplicationBuilder UseTracing(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (IsPlumbing(context.Request.Path))
        {
            await next(context);
            return;
        }
        var trace = new RequestTrace();
        context.Items[typeof(RequestTrace)] = trace;
        context.Response.Headers[TraceHeader] = trace.Id;
        trace.Add("1 tracing", "before");
        try
        {
            await next(context);
        }
        finally
        {
            trace.Add("1 tracing", $"after ({context.Response.StatusCode})");
            context.RequestServices.GetRequiredService<TraceStore>().Keep(trace);
        }
    });

    /// <summary>Second: turns an exception from anything inside it into a 500 ProblemDetails, after it has passed back out through them.</summary>
    public static IApplicationBuilder UseErrors(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var trace = Traced(context);
        trace?.Add("2 errors", "before");
        try
        {
            await next(context);
            trace?.Add("2 errors", "after");
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            trace?.Add("2 errors", $"caught {e.GetType().Name}: 500");
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = 500, Title = "Something failed inside the pipeline", Detail = e.GetType().Name },
            });
        }
    });

    /// <summary>Third: times what is inside it.</summary>
    public static IApplicationBuilder UseTiming(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var trace = Traced(context);
        trace?.Add("3 timing", "before");
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            trace?.Add("3 timing", $"after, {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.###} ms inside");
        }
    });

    /// <summary>Fourth: <c>/api/admin/*</c> needs the API key; without it, a 401 here, and nothing further in runs.</summary>
    public static IApplicationBuilder UseApiKey(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var trace = Traced(context);
        if (context.Request.Path.StartsWithSegments("/api/admin") && context.Request.Headers[ApiKeyHeader] != ApiKey)
        {
            trace?.Add("4 api key", "short-circuit: 401, next never called");
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        trace?.Add("4 api key", "before");
        await next(context);
        trace?.Add("4 api key", "after");
    });

    private static RequestTrace? Traced(HttpContext context) => context.Items[typeof(RequestTrace)] as RequestTrace;

    private static bool IsPlumbing(PathString path) =>
        path.StartsWithSegments("/traces") || Workshop.ServiceKit.WorkshopServiceExtensions.IsWorkshopEndpoint(path);
}
