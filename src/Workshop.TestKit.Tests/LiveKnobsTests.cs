using System.Net;
using System.Net.Http.Json;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Workshop.ServiceKit;
using Xunit;

namespace Workshop.TestKit.Tests;

/// <summary>
/// The service kit's knob endpoint (<c>/workshop/knobs</c>), on a real Kestrel on loopback: what <c>workshop live</c>
/// turns while both variants run.
/// </summary>
public sealed class LiveKnobsTests
{
    [Fact]
    public async Task Put_FromLoopback_ChangesWhatTheMonitorReads()
    {
        // Arrange
        await using var app = await StartAsync(control: true);
        using var client = new HttpClient { BaseAddress = app.Services.BoundAddress() };
        var monitor = app.Services.GetRequiredService<IOptionsMonitor<Knobs>>();
        var before = monitor.CurrentValue.DelayMs;

        // Act
        using var put = await client.PutAsJsonAsync("workshop/knobs", new { DelayMs = 250 });
        var read = await client.GetFromJsonAsync<Dictionary<string, string>>("workshop/knobs");

        // Assert
        put.StatusCode.Should().Be(HttpStatusCode.OK, "a loopback caller may set a knob the service reads");
        monitor.CurrentValue.DelayMs.Should().Be(250, $"the monitor read {monitor.CurrentValue.DelayMs} after PUT DelayMs=250 (it read {before} before)");
        read.Should().ContainKey("DelayMs").WhoseValue.Should().Be("250");
    }

    [Fact]
    public async Task Put_FromAnotherAddress_IsRefusedAndChangesNothing()
    {
        // Arrange: the caller's address as a forwarded-headers middleware would set it, ahead of the kit's.
        await using var app = await StartAsync(control: true, remote: IPAddress.Parse("192.0.2.10"));
        using var client = new HttpClient { BaseAddress = app.Services.BoundAddress() };

        // Act
        using var put = await client.PutAsJsonAsync("workshop/knobs", new { DelayMs = 250 });

        // Assert
        put.StatusCode.Should().Be(HttpStatusCode.Forbidden, "only a caller on this machine may turn a knob");
        (await put.Content.ReadAsStringAsync()).Should().Contain("192.0.2.10");
        app.Services.GetRequiredService<IOptionsMonitor<Knobs>>().CurrentValue.DelayMs.Should().Be(10);
    }

    [Fact]
    public async Task Put_WithoutControlSwitchedOn_IsNotFound()
    {
        // Arrange
        await using var app = await StartAsync(control: false);
        using var client = new HttpClient { BaseAddress = app.Services.BoundAddress() };

        // Act
        using var put = await client.PutAsJsonAsync("workshop/knobs", new { DelayMs = 250 });

        // Assert
        put.StatusCode.Should().Be(HttpStatusCode.NotFound, "a service started without Workshop:Control takes no orders over HTTP");
        app.Services.GetRequiredService<IOptionsMonitor<Knobs>>().CurrentValue.DelayMs.Should().Be(10);
    }

    [Theory]
    [InlineData("""{"DelaMs": 250}""", "DelaMs")]
    [InlineData("""{"DelayMs": "soon"}""", "soon")]
    [InlineData("""[250]""", "object")]
    public async Task Put_UnknownKnobOrBadValue_Is400NamingItAndChangesNothing(string body, string named)
    {
        // Arrange
        await using var app = await StartAsync(control: true);
        using var client = new HttpClient { BaseAddress = app.Services.BoundAddress() };

        // Act
        using var put = await client.PutAsync("workshop/knobs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        // Assert
        put.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        put.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        (await put.Content.ReadAsStringAsync()).Should().Contain(named);
        app.Services.GetRequiredService<IOptionsMonitor<Knobs>>().CurrentValue.DelayMs.Should().Be(10, "a refused setting leaves the knobs as they were");
    }

    [Fact]
    public async Task Put_OnTheControlPort_IsTakenOutsideTheThreadPool()
    {
        // Arrange: the knob endpoint on a port of its own, as workshop live starts every service.
        var port = FreePort();
        await using var app = await StartAsync(control: true, controlPort: port);
        var monitor = app.Services.GetRequiredService<IOptionsMonitor<Knobs>>();
        var onPoolThread = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listening = monitor.OnChange(_ => onPoolThread.TrySetResult(Thread.CurrentThread.IsThreadPoolThread));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        // Act
        using var put = await client.PutAsJsonAsync("workshop/knobs", new Dictionary<string, int> { ["DelayMs"] = 250 });
        using var unknown = await client.PutAsJsonAsync("workshop/knobs", new Dictionary<string, int> { ["DelaMs"] = 1 });

        // Assert: a starved pool, which holds up every request of the service's own port, cannot hold this one up.
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        monitor.CurrentValue.DelayMs.Should().Be(250);
        (await onPoolThread.Task.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeFalse("the control port's thread is the service's own, not a thread pool thread");
        unknown.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadAsStringAsync()).Should().Contain("DelaMs");
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<WebApplication> StartAsync(bool control, IPAddress? remote = null, int? controlPort = null)
    {
        var builder = Loopback.CreateSlimBuilder();
        builder.Configuration["Lab:DelayMs"] = "10";
        builder.Configuration[WorkshopServiceExtensions.ControlKey] = control ? "true" : "false";
        if (controlPort is { } p) builder.Configuration[WorkshopServiceExtensions.ControlPortKey] = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (remote is not null) builder.Services.AddTransient<IStartupFilter>(_ => new PretendRemote(remote));
        builder.AddWorkshopDefaults("Test.Knobs");
        builder.AddLabKnobs<Knobs>();
        var app = builder.Build();
        app.MapWorkshopEndpoints();
        await app.StartAsync();
        return app;
    }

    private sealed class PretendRemote(IPAddress remote) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = remote;
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    public sealed class Knobs
    {
        public int DelayMs { get; set; }
    }
}
