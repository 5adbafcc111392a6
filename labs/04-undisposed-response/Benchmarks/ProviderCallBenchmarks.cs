using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Lab04;
using Lab04.Weather;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workshop.ServiceKit;

namespace Lab04.Benchmarks;

/// <summary>
/// One call to the weather provider, as the gateway makes it: a GET whose answer is streamed, the first line read, and
/// the rest of a 64 KB body left. The provider is a Kestrel server on a loopback port, in this process.
/// </summary>
/// <remarks>
/// Baseline: a new <see cref="HttpClient"/> (and so a new handler, and a new connection) per call, disposed properly,
/// the fix a team often reaches for first. Against it: Fixed's <see cref="WeatherProvider"/>, a typed client from
/// <c>IHttpClientFactory</c> whose pooled connection is reused, the unread rest of each body drained on dispose.
/// Broken's own way (a shared handler, nothing disposed) cannot be measured in a loop: it opens a connection per call
/// and keeps it until a collection.
/// </remarks>
[MemoryDiagnoser]
public class ProviderCallBenchmarks
{
    private WebApplication _provider = null!;
    private ServiceProvider _services = null!;
    private WeatherProvider _typed = null!;
    private Uri _address = null!;

    [GlobalSetup]
    public async Task StartAsync()
    {
        // The provider fake's shape: a first line that describes the answer, then rows up to 64 KB.
        var text = new StringBuilder("{\"path\":\"/observations/Paris\",\"sequence\":1}\n");
        for (var row = 1; text.Length < 64 * 1024; row++) text.Append("{\"row\":").Append(row).Append(",\"value\":").Append(row * 17 % 1000).Append("}\n");
        var body = Encoding.UTF8.GetBytes(text.ToString());
        _provider = Loopback.CreateSlimBuilder().Build();
        _provider.MapGet("/observations/{city}", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/x-ndjson";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        await _provider.StartAsync();
        _address = _provider.Services.BoundAddress();

        // The typed client as Fixed registers it, pointed at the provider above.
        var services = new ServiceCollection();
        services.AddOptions<LabOptions>().Configure(o => o.DownstreamUrl = _address.ToString().TrimEnd('/'));
        services.AddWeatherProvider();
        _services = services.BuildServiceProvider();
        _typed = _services.GetRequiredService<WeatherProvider>();
    }

    [GlobalCleanup]
    public async Task StopAsync()
    {
        await _services.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "new HttpClient per call, disposed")]
    public async Task<string?> NewClientPerCall()
    {
        using var client = new HttpClient { BaseAddress = _address };
        using var response = await client.GetAsync("/observations/Paris", HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream);
        return await reader.ReadLineAsync();
    }

    [Benchmark(Description = "Fixed: pooled typed client")]
    public async Task<ProviderAnswer> PooledTypedClient() => await _typed.LatestAsync("Paris", CancellationToken.None);
}
