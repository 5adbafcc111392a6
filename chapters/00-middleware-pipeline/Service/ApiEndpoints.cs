using Microsoft.AspNetCore.Http.HttpResults;

namespace Workshop.Pipeline;

/// <summary>
/// The endpoints, in a route group with a filter of its own (it runs for the group's endpoints only, after routing and
/// every global middleware), one endpoint with a filter that reads its arguments, and one behind a rate limit.
/// </summary>
public static class ApiEndpoints
{
    public const string RateLimitPolicy = "one-a-second";

    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(async (context, next) =>
        {
            var trace = RequestTrace.Of(context.HttpContext);
            trace.Add("6 group filter", $"before {context.HttpContext.GetEndpoint()?.DisplayName}");
            var result = await next(context);
            // What the endpoint returned, before anything is written: a filter may still replace it.
            var shown = result is INestedHttpResult nested ? nested.Result : result;
            trace.Add("6 group filter", $"after, result {shown?.GetType().Name.Split('`')[0] ?? "null"}");
            return result;
        });

        api.MapGet("/hello", (HttpContext context) =>
        {
            RequestTrace.Of(context).Add("8 endpoint", "runs");
            return TypedResults.Ok(new { hello = "world" });
        });

        api.MapGet("/work", async (int ms, HttpContext context, CancellationToken ct) =>
        {
            RequestTrace.Of(context).Add("8 endpoint", $"works {ms} ms");
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(ms, 0, 5_000)), ct);
            RequestTrace.Of(context).Add("8 endpoint", "done");
            return TypedResults.Ok(new { worked = ms });
        });

        api.MapGet("/boom", string (HttpContext context) =>
        {
            RequestTrace.Of(context).Add("8 endpoint", "throws");
            throw new InvalidOperationException("The endpoint failed.");
        });

        api.MapGet("/admin/report", (HttpContext context) =>
        {
            RequestTrace.Of(context).Add("8 endpoint", "runs");
            return TypedResults.Ok(new { report = "secret figures" });
        });

        // An endpoint filter sees what no middleware can: the endpoint's arguments, already bound, and its result
        // before it is written.
        api.MapGet("/items/{id:int}", Results<Ok<Item>, ProblemHttpResult> (int id, HttpContext context) =>
        {
            RequestTrace.Of(context).Add("8 endpoint", $"runs for item {id}");
            return TypedResults.Ok(new Item(id, $"item {id}"));
        }).AddEndpointFilter(async (context, next) =>
        {
            var trace = RequestTrace.Of(context.HttpContext);
            var id = context.GetArgument<int>(0);
            if (id <= 0)
            {
                trace.Add("7 endpoint filter", $"short-circuit: argument id={id}, 400");
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "An item id is positive");
            }
            trace.Add("7 endpoint filter", $"before, argument id={id}");
            var result = await next(context);
            trace.Add("7 endpoint filter", "after");
            return result;
        });

        api.MapGet("/limited", (HttpContext context) =>
        {
            RequestTrace.Of(context).Add("8 endpoint", "runs");
            return TypedResults.Ok(new { limited = true });
        }).RequireRateLimiting(RateLimitPolicy);

        return app;
    }

    public sealed record Item(int Id, string Name);
}
