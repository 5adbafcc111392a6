using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using FluentAssertions;
using Workshop.TestKit;
using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Processes;
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
    internal const int Requests = 200;
    internal const int InFlight = 4;
    internal const int ConnectionBound = 16;

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

    [Guard("deletes-the-feature")]
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
        latest.TryGetProperty("sequence", out var sequence).Should().BeTrue("the provider numbers its answers, and the gateway passes that on ({0})", body);
        sequence.GetInt64().Should().BePositive();
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

    internal static readonly string[] Cities = ["Paris", "Lyon", "Nantes", "Lille", "Rennes"];

    internal static (string, string)[] Provider(Downstream provider) => [("Lab:DownstreamUrl", provider.BaseAddress.ToString().TrimEnd('/'))];

    internal static Task<int> SendAsync(HttpClient client, int count, int inFlight) =>
        RequestFlow.SendAsync(count, inFlight, (i, ct) => client.GetAsync(new Uri($"/api/weather/{Cities[i % Cities.Length]}", UriKind.Relative), ct),
            mustSucceed: false);
}

/// <summary>
/// The incident as the pool sees it, with no collection running to hide it for a while. A region without collections
/// holds the whole process, so these tests run alone.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class GatewayPoolSpec(ITestOutputHelper output)
{
    [Incident("broken")]
    public async Task Requests_WithTheConnectionsCappedAt4_NeverStall(LabTarget target)
    {
        // Arrange: 4 connections at most, and a provider timeout far beyond the client's patience, so a request that
        // waits for a connection shows as a stall, not as a timeout answer.
        const int cap = 4, requests = 50;
        var patience = TimeSpan.FromSeconds(1);
        await using var provider = await DownstreamFake.StartAsync();
        await using var app = target.StartOnKestrel([.. GatewaySpec.Provider(provider), ("Lab:MaxConnectionsPerServer", $"{cap}"), ("Lab:DownstreamTimeoutMs", "60000")]);
        using var client = app.CreateClient(patience);
        // No collection during the run: a collection finalizes leaked connections and frees their slots for a while,
        // which is why the production stalls came and went. Here the pool is what it is.
        using var noCollections = NoCollections.Begin();

        // Act: 50 requests, one after the other; the first that is not answered within 1 s (a free connection answers in a few milliseconds) ends the run.
        var completed = 0;
        string? stalled = null;
        for (var i = 0; i < requests && stalled is null; i++)
        {
            try
            {
                using var response = await client.GetAsync(new Uri($"/api/weather/{GatewaySpec.Cities[i % GatewaySpec.Cities.Length]}", UriKind.Relative));
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
        noCollections.Held.Should().BeTrue("no collection may run during the run, or it frees leaked connections");
        Symptom.AtLeast(completed, requests, string.Create(CultureInfo.InvariantCulture,
            $"with Lab:MaxConnectionsPerServer={cap}, {completed} of {requests} sequential requests completed before {stalled}; expected all {requests}, each handing its connection back."));
    }

    [Incident("broken", "half-fix")]
    public async Task Requests_AfterProviderErrorsWithTheConnectionsCappedAt4_NeverStall(LabTarget target)
    {
        // Arrange: 4 connections at most; the provider answers 503 to the first 8 requests, then recovers. A request
        // that waits for a connection shows as a stall (the provider timeout is far beyond the client's patience).
        const int cap = 4, errors = 8, recovered = 8;
        var patience = TimeSpan.FromSeconds(1);
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Fail(503));
        await using var app = target.StartOnKestrel([.. GatewaySpec.Provider(provider), ("Lab:MaxConnectionsPerServer", $"{cap}"), ("Lab:DownstreamTimeoutMs", "60000")]);
        using var client = app.CreateClient(patience);
        using var noCollections = NoCollections.Begin(); // a collection would finalize leaked answers and free their connections

        // Act: one request after the other, 8 while the provider fails, 8 once it has recovered; the first that is not
        // answered within 1 s ends the run.
        var answered = new List<int>();
        string? stalled = null;
        for (var i = 0; i < errors + recovered && stalled is null; i++)
        {
            if (i == errors) await provider.SetAsync(DownstreamBehaviour.Ok);
            try
            {
                using var response = await client.GetAsync(new Uri($"/api/weather/{GatewaySpec.Cities[i % GatewaySpec.Cities.Length]}", UriKind.Relative));
                answered.Add((int)response.StatusCode);
            }
            catch (TaskCanceledException)
            {
                stalled = $"request {i + 1} ({(i < errors ? "the provider failing" : "the provider recovered")}) had no answer after {patience.TotalSeconds:0} s";
            }
        }
        output.WriteLine($"answers: {string.Join(", ", answered)}; {stalled ?? "none stalled"}");

        // Assert
        noCollections.Held.Should().BeTrue("no collection may run during the run, or it frees leaked connections");
        var ok = answered.Count(s => s == 200);
        Symptom.AtLeast(ok, recovered, string.Create(CultureInfo.InvariantCulture,
            $"with Lab:MaxConnectionsPerServer={cap}, after {errors} provider errors the gateway answered {answered.Count} of {errors + recovered} sequential requests " +
            $"({answered.Count(s => s == 502)} 502, {ok} 200) before {stalled ?? "the end"}; expected all, the last {recovered} 200: an error's answer must hand its connection back too."));
    }

    [Incident("broken")]
    [LinuxOnly("it counts the gateway's sockets in /proc/net/tcp; elsewhere the connection count above stands for it")]
    public async Task GatewaySockets_ToTheProvider_StayBounded(LabTarget target)
    {
        // Arrange
        await using var provider = await DownstreamFake.StartAsync();
        await using var app = target.StartOnKestrel(GatewaySpec.Provider(provider));
        using var client = app.CreateClient(TimeSpan.FromSeconds(30));
        using var noCollections = NoCollections.Begin(); // a collection would close leaked sockets through their finalizers

        // Act
        var answered = await GatewaySpec.SendAsync(client, GatewaySpec.Requests, GatewaySpec.InFlight);
        var sockets = TcpSockets.ToRemotePort(Environment.ProcessId, provider.Port);
        var total = sockets.Values.Sum();
        output.WriteLine($"{answered} answered; sockets to the provider: {string.Join(", ", sockets.Select(s => $"{s.Key} {s.Value}"))}");

        // Assert
        noCollections.Held.Should().BeTrue("no collection may run during the run, or finalizers close leaked sockets");
        Symptom.AtMost(total, GatewaySpec.ConnectionBound, string.Create(CultureInfo.InvariantCulture,
            $"after {GatewaySpec.Requests} requests the gateway holds {total} sockets to the provider ({string.Join(", ", sockets.Select(s => $"{s.Value} {s.Key}"))}); expected at most {GatewaySpec.ConnectionBound}."));
    }
}
