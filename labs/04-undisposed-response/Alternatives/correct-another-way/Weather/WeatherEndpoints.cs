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
        using var client = new HttpClient(handler, disposeHandler: false)
        {
            BaseAddress = new Uri(lab.DownstreamUrl),
            Timeout = TimeSpan.FromMilliseconds(lab.DownstreamTimeoutMs),
        };
        // HttpClient.Timeout ends when the headers arrive; the first line is read under a timeout of its own.
        using var body = CancellationTokenSource.CreateLinkedTokenSource(ct);
        body.CancelAfter(lab.DownstreamTimeoutMs);
        try
        {
            using var response = await client.GetAsync($"/observations/{Uri.EscapeDataString(city)}", HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                metrics.Called("failed");
                return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The weather provider failed",
                    detail: $"It answered {(int)response.StatusCode}.");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(body.Token);
            using var reader = new StreamReader(stream);
            var first = await reader.ReadLineAsync(body.Token);
            if (string.IsNullOrEmpty(first))
            {
                metrics.Called("failed");
                return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The weather provider sent nothing");
            }

            metrics.Called("ok");
            return TypedResults.Ok(new WeatherReport(city, JsonDocument.Parse(first).RootElement.Clone()));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
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
