using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Lab04.Weather;

/// <summary>What a call to the provider gave: its latest observation, or why there is none.</summary>
public sealed record ProviderAnswer(JsonElement? Latest, string Outcome, int? Status = null);

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
                ? new ProviderAnswer(null, "failed")
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
