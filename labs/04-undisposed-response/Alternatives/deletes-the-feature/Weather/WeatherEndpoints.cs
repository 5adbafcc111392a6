using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Lab04.Weather;

/// <summary><c>GET /api/weather/{city}</c>: the latest observation for a city.</summary>
public static class WeatherEndpoints
{
    public static IEndpointRouteBuilder MapWeather(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/weather").MapGet("/{city}", Get);
        return app;
    }

    // No call to the provider, no connection to leak: the answer is made up here.
    private static Results<Ok<WeatherReport>, ProblemHttpResult> Get(string city, WeatherMetrics metrics)
    {
        if (!City.IsValid(city))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a city name",
                detail: "A city is 1 to 64 letters, with spaces, hyphens or apostrophes between them.");
        }

        metrics.Called("ok");
        var latest = JsonSerializer.SerializeToElement(new { path = $"/observations/{Uri.EscapeDataString(city)}", method = "GET" });
        return TypedResults.Ok(new WeatherReport(city, latest));
    }
}
