using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Prometheus;

namespace Workshop.Toolkit.Tests;

/// <summary>Starts the real lab 01 services as child processes (building them in Release on first use).</summary>
public sealed class LabServiceTests : IDisposable
{
    private readonly DirectoryInfo _logs = Directory.CreateTempSubdirectory("workshop-lab01-logs-");

    public void Dispose() => _logs.Delete(recursive: true);

    private Dictionary<string, string> Settings() => new()
    {
        ["Lab:LogSinkDelayMs"] = "0",
        ["Lab:LogDirectory"] = _logs.FullName,
    };

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Fact]
    public async Task StartAsync_Lab01Fixed_ServesHealthAndMetricsThenStopsGracefully()
    {
        // Arrange
        await using var service = await LabService.StartAsync("01", "Fixed", Settings());
        using var client = service.CreateClient();
        using var metrics = new MetricsReader(client);

        // Act
        using var health = await client.GetAsync("/healthz");
        using var created = await client.PostAsJsonAsync("/api/orders",
            new { customerId = "c1", lines = new[] { new { sku = "A", quantity = 2, unitPrice = 3.5 } }, notes = "toolkit test" });
        var snapshot = await metrics.ScrapeAsync();
        var stopped = await service.StopAsync();

        // Assert
        service.Lab.Should().Be("01-logging-blocking");
        service.Variant.Should().Be("Fixed");
        service.BaseAddress.Should().Be(new Uri($"http://127.0.0.1:{service.Port}/"));
        health.StatusCode.Should().Be(HttpStatusCode.OK);
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        snapshot.Value("dotnet_gc_heap_size_bytes").Should().BeGreaterThan(0);
        snapshot.Contains("workshop_thread_pool_queue_length").Should().BeTrue();
        stopped.Graceful.Should().BeTrue($"SIGTERM should stop it cleanly; its output: {string.Join('\n', service.RecentOutput)}");
        stopped.AlreadyExited.Should().BeFalse();
        stopped.Elapsed.Should().BeLessThan(LabService.DefaultStopGrace);
        service.HasExited.Should().BeTrue();
        IsRunning(service.ProcessId).Should().BeFalse();
        ChildProcesses.Ids.Should().NotContain(service.ProcessId);
        (await service.StopAsync()).Should().BeSameAs(stopped, "stopping twice reports the first stop");
    }

    [Fact]
    public async Task StartAsync_CancelledOnceChildStarted_LeavesNoChildProcess()
    {
        // Arrange: cancel at the one moment that matters, right after the child process exists.
        using var cts = new CancellationTokenSource();
        var pid = 0;
        void OnStarted(int id)
        {
            pid = id;
            cts.Cancel();
        }

        LabService.ChildStarted += OnStarted;
        try
        {
            // Act
            var act = () => LabService.StartAsync("01", "Fixed", Settings(), cts.Token);

            // Assert
            await act.Should().ThrowAsync<OperationCanceledException>();
        }
        finally
        {
            LabService.ChildStarted -= OnStarted;
        }

        pid.Should().NotBe(0, "the child had started when the start was cancelled");
        IsRunning(pid).Should().BeFalse();
        ChildProcesses.Ids.Should().NotContain(pid);
    }

    [Fact]
    public async Task StartAsync_UnknownVariant_ThrowsBeforeStartingAnything()
    {
        // Act
        var act = () => LabService.StartAsync("01", "Repaired");

        // Assert
        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*Known variants*Fixed*");
    }

    [Fact]
    public void FreePort_Called_ReturnsBindableLoopbackPort()
    {
        // Act
        var port = LabService.FreePort();

        // Assert
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, port);
        var act = () => listener.Start();
        act.Should().NotThrow();
        listener.Stop();
    }
}
