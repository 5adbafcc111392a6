using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Lab04.Weather;

/// <summary>What a call to the provider gave: its latest observation, or why there is none.</summary>
public sealed record ProviderAnswer(JsonElement? Latest, string Outcome, int? Status = null, bool Empty = false);

/// <summary>
/// FIX: the weather provider behind a typed client. Every response and stream is disposed when the call ends, read or
/// not, which hands the connection back to the pool (or closes it); the timeout is a linked source that is disposed too.
/// </summary>
public sealed class WeatherProvider(HttpClient client, IOptions<LabOptions> options)
{
    // The provider sends the latest observation on its first line, then the station's history (tens of kilobytes)
    // that we never show: the answer is streamed, and we stop reading after the first line.
    public async Task<ProviderAnswer> LatestAsync(string city, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct); // FIX: disposed, so its timer goes with it
        timeout.CancelAfter(options.Value.DownstreamTimeoutMs);
        try
        {
            using var response = await client.GetAsync($"/observations/{Uri.EscapeDataString(city)}", HttpCompletionOption.ResponseHeadersRead, timeout.Token); // FIX: disposed
            if (!response.IsSuccessStatusCode) return new ProviderAnswer(null, "failed", (int)response.StatusCode);

            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token); // FIX: disposed, read to the end or not
            using var reader = new StreamReader(stream);
            var first = await reader.ReadLineAsync(timeout.Token);
            return string.IsNullOrEmpty(first)
                ? new ProviderAnswer(null, "failed", Empty: true)
                : new ProviderAnswer(JsonDocument.Parse(first).RootElement.Clone(), "ok");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return new ProviderAnswer(null, "timeout");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            return new ProviderAnswer(null, "failed");
        }
    }
}

/// <summary>FIX: the typed client's registration, the one place its handler and timeouts are decided.</summary>
public static class WeatherProviderRegistration
{
    public static IHttpClientBuilder AddWeatherProvider(this IServiceCollection services) =>
        services.AddHttpClient<WeatherProvider>((services, client) =>
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
}
