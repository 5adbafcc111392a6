using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Workshop.Toolkit.Replay;

namespace Workshop.Cli.Live;

/// <summary>The live page's routes: the page and its assets (embedded in the CLI, so it works offline), its event stream, its stop button.</summary>
internal static class DashboardEndpoints
{
    private static readonly Assembly Assets = typeof(DashboardEndpoints).Assembly;

    public static IEndpointRouteBuilder MapLiveDashboard(this IEndpointRouteBuilder app, LiveDashboard dashboard, PageText text)
    {
        app.MapGet("/", () => Asset("index.html"));
        // The page's words, before app.js: the language of the replay's run (--lang, WORKSHOP_LANG, the locale).
        app.MapGet("/assets/text.js", () => TypedResults.Text(text.Script, "text/javascript; charset=utf-8"));
        app.MapGet("/assets/{file}", (string file) => Asset(file));
        app.MapGet("/events", (CancellationToken ct) => TypedResults.ServerSentEvents(dashboard.Subscribe(ct)));
        // workshop live: a knob's button. The change reaches both services before the answer; the page redraws from the event.
        app.MapPost("/knobs/{name}", async Task<Results<Ok<string>, ProblemHttpResult>> (string name, string value, CancellationToken ct) =>
        {
            try
            {
                var change = await dashboard.SetKnobAsync(name, value, ct);
                return TypedResults.Ok($"{change.Name} = {change.Value}");
            }
            catch (ArgumentException e)
            {
                return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "No such knob or position");
            }
            catch (InvalidOperationException e)
            {
                return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "The knob did not turn");
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                return TypedResults.Problem($"A service did not take {name} = {value} within {LiveSession.KnobTimeout.TotalSeconds:N0} s (a starved service takes its knobs late).",
                    statusCode: StatusCodes.Status504GatewayTimeout, title: "A service did not take the knob");
            }
            catch (HttpRequestException e)
            {
                return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status502BadGateway, title: "A service did not take the knob");
            }
        });
        app.MapPost("/stop", () =>
        {
            dashboard.RequestStop();
            return TypedResults.Accepted((string?)null);
        });
        return app;
    }

    private static Results<FileContentHttpResult, NotFound> Asset(string file)
    {
        using var stream = Assets.GetManifestResourceStream("live/" + file);
        if (stream is null) return TypedResults.NotFound();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var type = Path.GetExtension(file) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => "text/plain; charset=utf-8",
        };
        return TypedResults.File(copy.ToArray(), type);
    }
}
