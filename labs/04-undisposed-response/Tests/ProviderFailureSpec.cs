using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using FluentAssertions;
using Workshop.TestKit;
using Workshop.Toolkit.Processes;
using Xunit;
using Xunit.Abstractions;

namespace Lab04.Tests;

/// <summary>
/// A provider that fails, hangs, stalls in its body or cuts it short gets a ProblemDetails answer (or its first line,
/// when that arrived whole) within the gateway's timeout, never a 500 nor a hang. Apart from <see cref="GatewaySpec"/>
/// so the two run side by side.
/// </summary>
public sealed class ProviderFailureSpec
{
    [Guard]
    public async Task Weather_ProviderFails_Is502ProblemDetails(LabTarget target)
    {
        // Arrange
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Fail(503));
        await using var app = target.StartOnKestrel(GatewaySpec.Provider(provider));
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
        // Arrange: the provider never answers; the gateway gives it 300 ms.
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Hang);
        await using var app = target.StartOnKestrel([.. GatewaySpec.Provider(provider), ("Lab:DownstreamTimeoutMs", "300")]);
        using var client = app.CreateClient(TimeSpan.FromSeconds(20));

        // Act
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(new Uri("/api/weather/Paris", UriKind.Relative));
        clock.Stop();

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.GatewayTimeout);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "a 300 ms timeout should answer long before the client's own 20 s");
    }

    [Incident("broken")]
    public async Task Weather_ProviderStallsInTheBody_Is504WithinTheTimeout(LabTarget target)
    {
        // Arrange: the provider sends its headers and a few bytes of the first line, then nothing, on an open connection.
        // The gateway gives the provider 200 ms; its client waits five times that.
        const int timeoutMs = 200;
        var patience = TimeSpan.FromMilliseconds(timeoutMs * 5);
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Stall);
        await using var app = target.StartOnKestrel([.. GatewaySpec.Provider(provider), ("Lab:DownstreamTimeoutMs", $"{timeoutMs}")]);
        using var client = app.CreateClient(patience);

        // Act
        var clock = Stopwatch.StartNew();
        string answer;
        try
        {
            using var response = await client.GetAsync(new Uri("/api/weather/Paris", UriKind.Relative));
            answer = $"answered {(int)response.StatusCode} after {clock.ElapsedMilliseconds:N0} ms";
            if (response.StatusCode == HttpStatusCode.GatewayTimeout) answer = "504";
        }
        catch (TaskCanceledException)
        {
            answer = $"had no answer after {patience.TotalMilliseconds:N0} ms";
        }

        // Assert
        Symptom.Absent(answer == "504", string.Create(CultureInfo.InvariantCulture,
            $"the provider sent its headers and then stalled in the body; the gateway {answer}, where Lab:DownstreamTimeoutMs={timeoutMs} should have ended the call with a 504."));
    }

    [Guard]
    public async Task Weather_ProviderCutsTheBodyShort_IsNeverA500NorAHang(LabTarget target)
    {
        // Arrange: headers, half a body, then the connection closes. The first line arrives whole, so an answer from
        // it is fine too; what the gateway must not do is fail with a 500 or hang.
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Drop);
        await using var app = target.StartOnKestrel(GatewaySpec.Provider(provider));
        using var client = app.CreateClient(TimeSpan.FromSeconds(20));

        // Act
        using var response = await client.GetAsync(new Uri("/api/weather/Paris", UriKind.Relative));

        // Assert
        response.StatusCode.Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.BadGateway);
    }
}
