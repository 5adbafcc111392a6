using System.Net;
using System.Net.Http.Json;
using FluentAssertions;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace Workshop.Pipeline.Tests;

/// <summary>
/// The onion the chapter shows: global middlewares in the order they were added and unwinding in reverse, a
/// short-circuit that skips everything further in, an exception passing back out through every layer, and route-group
/// and endpoint filters that run only for their endpoints, inside every middleware.
/// </summary>
public sealed class PipelineTests : IClassFixture<WebApplicationFactory<Marker>>
{
    private readonly WebApplicationFactory<Marker> _factory;

    public PipelineTests(WebApplicationFactory<Marker> factory) => _factory = factory;

    [Fact]
    public async Task Request_ThroughEveryLayer_RunsThemInTheOrderAddedAndUnwindsInReverse()
    {
        // Arrange
        using var client = _factory.CreateClient();

        // Act
        var (status, trace) = await TraceAsync(client, "/api/items/7");

        // Assert
        status.Should().Be(HttpStatusCode.OK);
        trace.Should().Equal(
            "1 tracing: before", "2 errors: before", "3 timing: before", "4 api key: before",
            "6 group filter: before HTTP: GET /api/items/{id:int}", "7 endpoint filter: before, argument id=7", "8 endpoint: runs for item 7",
            "7 endpoint filter: after", "6 group filter: after, result Ok",
            "4 api key: after", "3 timing: after", "2 errors: after", "1 tracing: after (200)");
    }

    [Fact]
    public async Task AdminRequest_WithoutTheKey_IsAnsweredByTheApiKeyLayerAndNothingFurtherInRuns()
    {
        // Arrange
        using var client = _factory.CreateClient();

        // Act
        var (status, trace) = await TraceAsync(client, "/api/admin/report");

        // Assert
        status.Should().Be(HttpStatusCode.Unauthorized);
        trace.Should().Equal(
            "1 tracing: before", "2 errors: before", "3 timing: before", "4 api key: short-circuit: 401, next never called",
            "3 timing: after", "2 errors: after", "1 tracing: after (401)");
    }

    [Fact]
    public async Task Exception_InTheEndpoint_PassesBackOutThroughEveryLayerUntilOneHandlesIt()
    {
        // Arrange
        using var client = _factory.CreateClient();

        // Act
        var (status, trace) = await TraceAsync(client, "/api/boom");

        // Assert: the layers inside the handler see no "after" of their own (the exception skips it); those with a
        // finally still run; the handler answers, and the layers outside it return normally.
        status.Should().Be(HttpStatusCode.InternalServerError);
        trace.Should().Equal(
            "1 tracing: before", "2 errors: before", "3 timing: before", "4 api key: before",
            "6 group filter: before HTTP: GET /api/boom", "8 endpoint: throws",
            "3 timing: after", "2 errors: caught InvalidOperationException: 500", "1 tracing: after (500)");
    }

    [Fact]
    public async Task EndpointFilter_WithABadArgument_ShortCircuitsInsideTheGroupFilter()
    {
        // Arrange
        using var client = _factory.CreateClient();

        // Act
        var (status, trace) = await TraceAsync(client, "/api/items/0");

        // Assert
        status.Should().Be(HttpStatusCode.BadRequest);
        trace.Should().ContainInOrder("6 group filter: before HTTP: GET /api/items/{id:int}", "7 endpoint filter: short-circuit: argument id=0, 400", "6 group filter: after, result ProblemHttpResult");
        trace.Should().NotContain(s => s.StartsWith("8 endpoint", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RateLimitedEndpoint_SecondCallWithinTheSecond_Is429BeforeAnyFilter()
    {
        // Arrange
        using var factory = new WebApplicationFactory<Marker>(); // a limiter of its own, whatever the other tests did
        using var client = factory.CreateClient();
        await TraceAsync(client, "/api/limited");

        // Act
        var (status, trace) = await TraceAsync(client, "/api/limited");

        // Assert
        status.Should().Be(HttpStatusCode.TooManyRequests);
        trace.Should().Contain("5 rate limiter: short-circuit: 429, the endpoint's filters never run");
        trace.Should().NotContain(s => s.StartsWith("6 group filter", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownPath_IsSeenByTheMiddlewaresButNoFilter()
    {
        // Arrange
        using var client = _factory.CreateClient();

        // Act
        var (status, trace) = await TraceAsync(client, "/api/nowhere");

        // Assert
        status.Should().Be(HttpStatusCode.NotFound);
        trace.Should().StartWith("1 tracing: before").And.Contain("4 api key: before").And.NotContain(s => s.StartsWith("6 group filter", StringComparison.Ordinal));
    }

    private static async Task<(HttpStatusCode Status, IReadOnlyList<string> Trace)> TraceAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var id = response.Headers.GetValues(Layers.TraceHeader).Single();
        var steps = await client.GetFromJsonAsync<List<TraceStep>>(new Uri($"/traces/{id}", UriKind.Relative)) ?? [];
        return (response.StatusCode, steps.Select(s => $"{s.Layer}: {s.What}").Select(s => s.StartsWith("3 timing: after", StringComparison.Ordinal) ? "3 timing: after" : s).ToList());
    }
}
