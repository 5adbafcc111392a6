using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using FluentAssertions;
using Workshop.TestKit;
using Workshop.Toolkit;
using Xunit;
using Xunit.Abstractions;

namespace Lab04.Tests;

/// <summary>
/// The gateway must hold a bounded number of connections to the weather provider whatever the traffic, must never
/// stall when those connections are capped, and must keep answering with the provider's observation, or with a
/// ProblemDetails answer when the provider fails or hangs. Everything runs on real sockets: the gateway on Kestrel on
/// a loopback port, the provider a fake in its own process that counts the connections it accepts.
/// </summary>
public sealed class GatewaySpec(ITestOutputHelper output)
{
    private const int Requests = 200;
    private const int InFlight = 4;
    private const int ConnectionBound = 16;

    [Incident("broken")]
    public async Task ProviderConnections_Over200Requests_StayAHandful(LabTarget target)
    {
        // Arrange
        await using var provider = await DownstreamFake.StartAsync();
        await using var app = target.StartOnKestrel(Provider(provider));
        using var client = app.CreateClient(TimeSpan.FromSeconds(30));

        // Act: 200 requests, 4 at a time.
        var answered = await SendAsync(client, Requests, InFlight);
        var accepted = await provider.ConnectionsAcceptedAsync() - 1; // its own /metrics connection is one of them
        output.WriteLine($"{answered} of {Requests} answered 200; the provider accepted {accepted} connections from the gateway");

        // Assert
        answered.Should().Be(Requests, "every request should be answered while nothing is capped");
        Symptom.AtMost(accepted, ConnectionBound, string.Create(CultureInfo.InvariantCulture,
            $"{Requests} requests, {InFlight} at a time, opened {accepted} connections to the provider; expected at most {ConnectionBound}, the pool reusing them."));
    }

    [Incident("broken")]
    public async Task Requests_WithTheConnectionsCappedAt4_NeverStall(LabTarget target)
    {
        // Arrange: 4 connections at most, and a provider timeout far beyond the client's patience, so a request that
        // waits for a connection shows as a stall, not as a timeout answer.
        const int cap = 4, requests = 50;
        var patience = TimeSpan.FromSeconds(2);
        await using var provider = await DownstreamFake.StartAsync();
        await using var app = target.StartOnKestrel([.. Provider(provider), ("Lab:MaxConnectionsPerServer", $"{cap}"), ("Lab:DownstreamTimeoutMs", "60000")]);
        using var client = app.CreateClient(patience);

        // Act: 50 requests, one after the other; the first that is not answered within 2 s ends the run.
        var completed = 0;
        string? stalled = null;
        for (var i = 0; i < requests && stalled is null; i++)
        {
            try
            {
                using var response = await client.GetAsync(new Uri($"/api/weather/{Cities[i % Cities.Length]}", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK) completed++;
                else stalled = $"request {i + 1} was answered {(int)response.StatusCode}";
            }
            catch (TaskCanceledException)
            {
                stalled = $"request {i + 1} had no answer after {patience.TotalSeconds:0} s";
            }
        }
        output.WriteLine($"{completed} of {requests} completed; {stalled ?? "none stalled"}");

        // Assert
        Symptom.AtLeast(completed, requests, string.Create(CultureInfo.InvariantCulture,
            $"with Lab:MaxConnectionsPerServer={cap}, {completed} of {requests} sequential requests completed before {stalled}; expected all {requests}, each handing its connection back."));
    }

    [Incident("broken")]
    [Trait("Category", "Linux")]
    public async Task GatewaySockets_ToTheProvider_StayBounded(LabTarget target)
    {
        // Arrange
        if (!TcpSockets.Supported) return; // /proc only: on other systems the connection count above stands for it
        await using var provider = await DownstreamFake.StartAsync();
        await using var app = target.StartOnKestrel(Provider(provider));
        using var client = app.CreateClient(TimeSpan.FromSeconds(30));

        // Act
        var answered = await SendAsync(client, Requests, InFlight);
        var sockets = TcpSockets.ToRemotePort(Environment.ProcessId, provider.Port);
        var total = sockets.Values.Sum();
        output.WriteLine($"{answered} answered; sockets to the provider: {string.Join(", ", sockets.Select(s => $"{s.Key} {s.Value}"))}");

        // Assert
        Symptom.AtMost(total, ConnectionBound, string.Create(CultureInfo.InvariantCulture,
            $"after {Requests} requests the gateway holds {total} sockets to the provider ({string.Join(", ", sockets.Select(s => $"{s.Value} {s.Key}"))}); expected at most {ConnectionBound}."));
    }

    [Guard]
    public async Task Weather_ForACity_IsTheProvidersLatestObservation(LabTarget target)
    {
        // Arrange
        await using var provider = await DownstreamFake.StartAsync();
        await using var app = target.StartOnKestrel(Provider(provider));
        using var client = app.CreateClient();

        // Act
        using var response = await client.GetAsync(new Uri("/api/weather/Saint-%C3%89tienne", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        // Assert: the provider's first line names the path it was asked for and numbers its answers.
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        json.RootElement.GetProperty("city").GetString().Should().Be("Saint-Étienne");
        var latest = json.RootElement.GetProperty("latest");
        latest.GetProperty("path").GetString().Should().Be("/observations/Saint-%C3%89tienne", "the gateway passes on the provider's observation ({0})", body);
        latest.GetProperty("sequence").GetInt64().Should().BePositive();
    }

    [Guard]
    public async Task Weather_ProviderFails_Is502ProblemDetails(LabTarget target)
    {
        // Arrange
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Fail(503));
        await using var app = target.StartOnKestrel(Provider(provider));
        using var client = app.CreateClient();

        // Act
        using var response = await client.GetAsync(new Uri("/api/weather/Paris", UriKind.Relative));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
    }

    [Guard]
    public async Task Weather_ProviderHangs_Is504WithinTheTimeout(LabTarget target)
    {
        // Arrange: the provider never answers; the gateway gives it 500 ms.
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Hang);
        await using var app = target.StartOnKestrel([.. Provider(provider), ("Lab:DownstreamTimeoutMs", "500")]);
        using var client = app.CreateClient(TimeSpan.FromSeconds(20));

        // Act
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(new Uri("/api/weather/Paris", UriKind.Relative));
        clock.Stop();

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.GatewayTimeout);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "a 500 ms timeout should answer long before the client's own 20 s");
    }

    [Guard]
    public async Task Weather_ProviderCutsTheBodyShort_Is502ProblemDetails(LabTarget target)
    {
        // Arrange: headers, half a body, then the connection closes. The first line arrives whole, so an answer from
        // it is fine too; what the gateway must not do is fail with a 500 or hang.
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Drop);
        await using var app = target.StartOnKestrel(Provider(provider));
        using var client = app.CreateClient(TimeSpan.FromSeconds(20));

        // Act
        using var response = await client.GetAsync(new Uri("/api/weather/Paris", UriKind.Relative));

        // Assert
        response.StatusCode.Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.BadGateway);
    }

    [Guard]
    public async Task Weather_NotACityName_Is400ProblemDetails(LabTarget target)
    {
        // Arrange
        await using var provider = await DownstreamFake.StartAsync();
        await using var app = target.StartOnKestrel(Provider(provider));
        using var client = app.CreateClient();

        // Act
        var statuses = new List<string>();
        foreach (var bad in new[] { "%20", "Paris1", new string('a', 65), "Rome%3B%20drop" })
        {
            using var response = await client.GetAsync(new Uri($"/api/weather/{bad}", UriKind.Relative));
            statuses.Add($"{bad[..Math.Min(bad.Length, 12)]}: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}");
        }

        // Assert
        statuses.Should().OnlyContain(s => s.EndsWith(": 400 application/problem+json", StringComparison.Ordinal), "bad city names get a 400 ProblemDetails ({0})", string.Join("; ", statuses));
    }

    private static readonly string[] Cities = ["Paris", "Lyon", "Nantes", "Lille", "Rennes"];

    private static (string, string)[] Provider(Downstream provider) => [("Lab:DownstreamUrl", provider.BaseAddress.ToString().TrimEnd('/'))];

    private static async Task<int> SendAsync(HttpClient client, int count, int inFlight)
    {
        var answered = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = inFlight }, async (i, ct) =>
        {
            using var response = await client.GetAsync(new Uri($"/api/weather/{Cities[i % Cities.Length]}", UriKind.Relative), ct);
            if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref answered);
        });
        return answered;
    }
}
