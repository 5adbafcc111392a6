using System.Text.Json.Nodes;
using Workshop.Cli.Tests.Support;
using Workshop.Toolkit.Replay;
using Xunit.Abstractions;

namespace Workshop.Cli.Tests;

/// <summary>The real replay of lab 01 (its services built and started as processes) at half scale, and a lab found by its folder.</summary>
public sealed class ReplayCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly ScratchRepo _scratch = ScratchRepo.Empty();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Replay_Lab01HalfScaleWithJson_PrintsOnlyTheJsonWithAHeadlineRatioOfAtLeastTen()
    {
        // Arrange
        var outDir = Path.Combine(_scratch.Root, "replay");

        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _scratch.State, ["replay", "01", "--scale", "0.5", "--json", "--out", outDir]);
        output.WriteLine(run.ToString());

        // Assert: stdout parses whole, so nothing but the JSON is on it.
        run.ExitCode.Should().Be(0);
        var json = JsonNode.Parse(run.Out)!;
        json["lab"]!.GetValue<string>().Should().Be("01-logging-blocking");
        var headline = json["headline"]!;
        headline["metric"]!.GetValue<string>().Should().Be("succeeded_per_second");
        headline["better"]!.GetValue<string>().Should().Be("higher");
        headline["ratio"]!.GetValue<double>().Should().BeGreaterThanOrEqualTo(10,
            "a 100 ms disk caps Broken at 10 answers a second against Fixed's 200 (Broken {0}/s, Fixed {1}/s)", headline["broken"], headline["fixed"]);
        json["broken"]!["requests"]!.GetValue<double>().Should().BePositive();
        json["fixed"]!["by_status"]!["200"]!.GetValue<long>().Should().BePositive();
        run.Err.Should().Contain("01 Broken: starting").And.Contain("01 Fixed: done");
        foreach (var file in new[] { "result.json", "report.md", "latency.svg", "latency.png", "heap.svg", "throughput.svg", "headline.png" })
            new FileInfo(Path.Combine(outDir, file)).Length.Should().BeGreaterThan(100, file);
    }

    [Fact]
    public async Task Replay_Lab01HalfScale_LeadsWithTheHeadlineAndFitsTheTableIn120Columns()
    {
        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _scratch.State, ["replay", "1", "-s", "0.5"], width: 120);
        output.WriteLine(run.ToString());

        // Assert
        run.ExitCode.Should().Be(0);
        var lines = run.Out.Split('\n');
        var tableRows = lines.Where(l => l.StartsWith('│') && l.Count(c => c == '│') == 4).ToList();
        tableRows[1].Should().Contain("requests answered per second", "the headline's row comes first, after the column heads");
        foreach (var label in new[] { "requests the clients gave up on (5 s)", "log events dropped (buffer full)", "latency p99", "GC heap at start",
                     "thread pool queue peak (work items)", "outcomes by status" })
            tableRows.Should().Contain(l => l.Contains(label), $"'{label}' stays whole on one line of a 120-column table");
        tableRows.Should().OnlyContain(l => l.Length <= 120);
        run.Out.Should().Contain("(higher is better)").And.Contain("x better").And.Contain("were dropped")
            .And.Contain("timeout: the client gave up waiting");
        var latest = Path.Combine(ScratchRepo.RealRoot, "artifacts", "replay", "01", "latest");
        File.Exists(Path.Combine(latest, "report.md")).Should().BeTrue("each run gets its own folder, and latest points at it");
    }

    [Fact]
    public async Task Replay_Lab02WithPrometheus_PrintsPromQLAnswersThatCountTheSameRequests()
    {
        // Act
        var run = await WorkshopCli.RunAsync(ScratchRepo.RealRoot, _scratch.State, ["replay", "02", "--scale", "0.5", "--prometheus"], width: 160);
        output.WriteLine(run.ToString());

        // Assert: Prometheus and the replay count the same requests, Broken and Fixed alike.
        run.ExitCode.Should().Be(0, run.ToString());
        // The PromQL table's row: a label and four figures (Broken PromQL, replay, Fixed PromQL, replay).
        var requests = run.Out.Split('\n').Single(l => l.Contains("requests answered", StringComparison.Ordinal) && l.Count(c => c == '│') == 6);
        requests.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[1..].Should().Equal(["500", "500", "500", "500"],
            "both variants answered the 500 requests of half the replay, and Prometheus scraped before and after the load");
        run.Out.Should().Contain("histogram_quantile(0.99").And.Contain("p99, ms (server histogram)");
    }

    [Fact]
    public async Task Replay_ScratchLabWithItsOwnReplayFolder_IsListedAndReplayedWithNoEditUnderSrc()
    {
        // Arrange: a lab the repository has never seen, with its services and its scenario in its own folder.
        ScratchLab.Write(_scratch, "99-scratch-incident");

        // Act
        var list = await WorkshopCli.RunAsync(_scratch.Root, _scratch.State, ["list"]);
        var replay = await WorkshopCli.RunAsync(_scratch.Root, _scratch.State, ["replay", "all"]);
        output.WriteLine(list.ToString());
        output.WriteLine(replay.ToString());

        // Assert
        list.Out.Should().Contain("99-scratch-incident").And.Contain("./workshop replay 99");
        replay.ExitCode.Should().Be(0);
        replay.Out.Should().Contain("latency p50 of a request").And.Contain("Every lab, broken against fixed");
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_scratch.Root, "artifacts", "replay", "99", "latest", "result.json")))!;
        json["headline"]!["ratio"]!.GetValue<double>().Should().BeGreaterThanOrEqualTo(10, "Broken waits 250 ms a request and Fixed does not (beside two CPU hogs Fixed's p50 measured 5.3 ms)");
    }
}

/// <summary>A minimal lab: two services that answer /healthz, /metrics and /work (Broken 250 ms slower), and a replay scenario.</summary>
internal static class ScratchLab
{
    public static void Write(ScratchRepo scratch, string name)
    {
        var id = name[..2];
        foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props" })
            File.Copy(Path.Combine(ScratchRepo.RealRoot, file), Path.Combine(scratch.Root, file), overwrite: true);
        var toolkit = typeof(LabScenario).Assembly.Location;
        scratch.AddLab(name, new Dictionary<string, string>
        {
            ["README.md"] = "# Lab 99: a scratch incident\n\n## Summary\n\nBroken waits before every answer.\n",
            [$"Broken/Lab{id}.Broken.csproj"] = "<Project Sdk=\"Microsoft.NET.Sdk.Web\" />",
            ["Broken/Program.cs"] = Service("await Task.Delay(250);"),
            [$"Fixed/Lab{id}.Fixed.csproj"] = "<Project Sdk=\"Microsoft.NET.Sdk.Web\" />",
            ["Fixed/Program.cs"] = Service("await Task.Yield();"),
            [$"Replay/Lab{id}.Replay.csproj"] =
                $"<Project Sdk=\"Microsoft.NET.Sdk\"><ItemGroup><Reference Include=\"Workshop.Toolkit\"><HintPath>{toolkit}</HintPath></Reference></ItemGroup></Project>",
            ["Replay/ScratchScenario.cs"] = $$"""
                using Workshop.Toolkit.Load;
                using Workshop.Toolkit.Processes;
                using Workshop.Toolkit.Replay;

                namespace Lab{{id}}.Replay;

                public sealed class ScratchScenario : LabScenario
                {
                    public override string Lab => "{{name}}";

                    public override string Title => "A scratch incident";

                    public override string Symptom => "Broken waits before every answer.";

                    public override string Conditions(double scale) => "40 requests, 4 clients";

                    public override HeadlineSpec Headline { get; } =
                        new("p50_ms", "latency p50 of a request", Better.Lower, 1, (h, _, _) => $"Broken {h.Broken} ms, Fixed {h.Fixed} ms.");

                    public override async Task<LoadResult> DriveAsync(LabService service, ScenarioContext context, IProgress<LoadProgress>? progress, CancellationToken ct)
                    {
                        using var client = service.CreateClient(4);
                        return await LoadDriver.RunRequestsAsync(client, _ => new HttpRequestMessage(HttpMethod.Get, "/work"), 4, 40, ct: ct);
                    }
                }
                """,
        });
    }

    private static string Service(string work) => $$"""
        var app = WebApplication.CreateBuilder(args).Build();
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/metrics", () => $"dotnet_gc_heap_size_bytes {GC.GetTotalMemory(false)}\nworkshop_thread_pool_queue_length {ThreadPool.PendingWorkItemCount}\n");
        app.MapGet("/work", async () => { {{work}} return "done"; });
        app.Run();
        """;
}
