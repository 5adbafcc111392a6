using System.Text.Json.Nodes;
using Workshop.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Workshop.Cli.Tests;

/// <summary>The real replay of lab 01 (its services built and started as processes), in a short mode.</summary>
public sealed class ReplayCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly ScratchRepo _scratch = ScratchRepo.Empty();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Replay_Lab01ShortWithJson_PrintsOnlyTheJsonWithAHeadlineRatioOfAtLeastFive()
    {
        // Arrange
        var outDir = Path.Combine(_scratch.Root, "replay");

        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _scratch.State, ["replay", "01", "--duration", "3", "--json", "--out", outDir]);
        output.WriteLine(run.ToString());

        // Assert: stdout parses whole, so nothing but the JSON is on it.
        run.ExitCode.Should().Be(0);
        var json = JsonNode.Parse(run.Out)!;
        json["lab"]!.GetValue<string>().Should().Be("01-logging-blocking");
        var headline = json["headline"]!;
        headline["metric"]!.GetValue<string>().Should().Be("p99_ms");
        headline["better"]!.GetValue<string>().Should().Be("lower");
        headline["ratio"]!.GetValue<double>().Should().BeGreaterThanOrEqualTo(5,
            "Broken's p99 ({0} ms) must be at least 5x Fixed's ({1} ms)", headline["broken"], headline["fixed"]);
        json["broken"]!["requests"]!.GetValue<double>().Should().BePositive();
        json["fixed"]!["by_status"]!["200"]!.GetValue<long>().Should().BePositive();
        run.Err.Should().Contain("01 Broken: starting").And.Contain("01 Fixed: done");
        foreach (var file in new[] { "result.json", "report.md", "latency.svg", "latency.png", "heap.svg", "headline.png" })
            new FileInfo(Path.Combine(outDir, file)).Length.Should().BeGreaterThan(100, file);
    }

    [Fact]
    public async Task Replay_Lab01Short_ShowsTheSideBySideTableAndTheHeadline()
    {
        // Arrange
        var outDir = Path.Combine(_scratch.Root, "replay");

        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _scratch.State, ["replay", "1", "-d", "2", "-o", outDir]);
        output.WriteLine(run.ToString());

        // Assert
        run.ExitCode.Should().Be(0);
        foreach (var row in new[] { "requests", "throughput (req/s)", "p50 (ms)", "p95 (ms)", "p99 (ms)", "GC heap at start", "GC heap peak",
                     "GC heap at end", "thread pool queue peak", "log_events_dropped_total", "by status", "200: " })
            run.Out.Should().Contain(row);
        run.Out.Should().Contain("p99_ms (lower is better)").And.Contain("better fixed").And.Contain("because no request waits for the disk");
        File.Exists(Path.Combine(outDir, "report.md")).Should().BeTrue();
    }
}
