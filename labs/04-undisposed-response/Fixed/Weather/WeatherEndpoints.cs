using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Lab04.Weather;

/// <summary><c>GET /api/weather/{city}</c>: the latest observation for a city, from the weather provider.</summary>
public static class WeatherEndpoints
{
    public static IEndpointRouteBuilder MapWeather(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/weather").MapGet("/{city}", GetAsync);
        return app;
    }

    private static async Task<Results<Ok<WeatherReport>, ProblemHttpResult>> GetAsync(
        string city, WeatherProvider provider, IOptions<LabOptions> options, WeatherMetrics metrics, CancellationToken ct) // FIX: the typed client
    {
        if (!City.IsValid(city))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a city name",
                detail: "A city is 1 to 64 letters, with spaces, hyphens or apostrophes between them.");
        }

        var answer = await provider.LatestAsync(city, ct); // FIX: the call owns and disposes what it opens
        metrics.Called(answer.Outcome);
        return answer switch
        {
            { Latest: { } latest } => TypedResults.Ok(new WeatherReport(city, latest)),
            { Outcome: "timeout" } => TypedResults.Problem(statusCode: StatusCodes.Status504GatewayTimeout, title: "The weather provider did not answer in time",
                detail: $"No answer within {options.Value.DownstreamTimeoutMs} ms."),
            { Status: { } status } => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The weather provider failed",
                detail: $"It answered {status}."),
            { Empty: true } => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The weather provider sent nothing"),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The weather provider failed",
                detail: "The connection failed or the answer was cut short."),
        };
    }
}
