// The diagnosis of lab 04, as the report's "Symptoms" and "Diagnosis" quote it:
//   dotnet run labs/04-undisposed-response/diagnose.cs
// (from the repository root, after `dotnet tool restore`). Each step prints the command that does the same by hand,
// then what it printed; the transcript, the counters and figures.json land in artifacts/diagnosis/04/.
#:project ../../src/Workshop.Toolkit/Workshop.Toolkit.csproj

using System.Globalization;
using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Processes;

await using var run = Diagnosis.Begin("04");
const int Requests = 500;
// A gen0 budget as large as a server's with memory to spare: no collection runs during a step, as none runs for long
// stretches in production. A collection finalizes leaked connections, which hides the leak for a while (the last step).
var quietGc = ("DOTNET_GCgen0size", "0x20000000");

foreach (var variant in new[] { "Broken", "Fixed" })
{
    var v = variant.ToLowerInvariant();
    run.Step($"{variant}: {Requests} weather requests, 4 at a time, then the provider's connections and the gateway's sockets");
    await using var provider = await Downstream.StartAsync();
    run.Say($"(the provider fake listens on {provider.BaseAddress}: dotnet run --project src/Workshop.Downstream -- --urls {provider.BaseAddress.ToString().TrimEnd('/')})");
    var gateway = await run.StartAsync(variant, quietGc, ("Lab:DownstreamUrl", provider.BaseAddress.ToString().TrimEnd('/')));
    var load = await run.LoadAsync(gateway, "/api/weather/Paris", Requests, concurrency: 4);
    var figures = await run.MetricsAsync(new Uri(provider.BaseAddress, "/metrics"), "downstream_connections_accepted_total", "downstream_connections_open");
    run.Figure($"{v}_accepted", figures["downstream_connections_accepted_total"] - 1); // less our own scrape
    run.Figure($"{v}_ok", load.Count("200"));
    if (TcpSockets.Supported)
    {
        run.Say($"$ ss -tn state established dst 127.0.0.1:{provider.Port} | grep -c {provider.Port}   # the gateway's side, counted from /proc/{gateway.ProcessId}");
        var sockets = TcpSockets.CountToRemotePort(gateway.ProcessId, provider.Port);
        run.Say($"{sockets}");
        run.Figure($"{v}_sockets", sockets);
    }
    await gateway.DisposeAsync();
}

run.Step("Broken with at most 4 connections to the provider: four answers, then a request that waits, until a collection");
await using (var provider = await Downstream.StartAsync())
{
    var gateway = await run.StartAsync("Broken", quietGc, ("Lab:DownstreamUrl", provider.BaseAddress.ToString().TrimEnd('/')),
        ("Lab:MaxConnectionsPerServer", "4"), ("Lab:DownstreamTimeoutMs", "60000"));
    // The counters listen from before the first request: the pool's up-down counters report changes made while they listen.
    var counters = run.PathFor("broken-capped.csv");
    var collect = run.ToolAsync("dotnet-counters", ["collect", "-p", $"{gateway.ProcessId}", "--counters", "System.Net.Http", "--format", "csv",
        "--refresh-interval", "1", "--duration", "00:00:00:07", "-o", counters], show: "^$");
    await Task.Delay(TimeSpan.FromSeconds(2));
    var capped = await run.LoadAsync(gateway, "/api/weather/Paris", requests: 4, concurrency: 1);
    run.Figure("capped_ok", capped.Count("200"));
    var fifth = run.TimeGetAsync(gateway, "/api/weather/Lyon", TimeSpan.FromSeconds(60));
    await collect;
    run.Say($"The fifth request, when the counters end: {(fifth.IsCompleted ? "answered" : "still waiting")}. The client's pool, last sample of each instrument (tags shortened):");
    var last = LastSamples(counters);
    foreach (var (name, value) in last.Where(l => l.Name.Contains("open_connections", StringComparison.Ordinal) || l.Name.Contains("active_requests", StringComparison.Ordinal)))
    {
        run.Say($"  {Shorten(name),-70} {value}");
    }
    run.Figure("capped_active", last.Where(l => l.Name.Contains("open_connections", StringComparison.Ordinal) && l.Name.Contains("state=active", StringComparison.Ordinal)).Sum(l => l.Value));
    run.Figure("capped_waiting", last.Where(l => l.Name.Contains("active_requests", StringComparison.Ordinal)).Sum(l => l.Value));
    run.Say("A full collection (dotnet-gcdump forces one before it dumps): the leaked connections are garbage, and their finalizers free the pool.");
    await run.ToolAsync("dotnet-gcdump", ["collect", "-p", $"{gateway.ProcessId}", "-o", run.PathFor("broken-capped.gcdump")], show: "^$");
    var waited = await fifth;
    run.Figure("capped_waited_s", waited.TotalSeconds);
    await gateway.DisposeAsync();
}

static string Shorten(string name) => System.Text.RegularExpressions.Regex.Replace(name, @";?(network\.peer\.address|network\.protocol\.version|server\.address|url\.scheme|server\.port)=[^;\]]*", "");

// dotnet-counters' CSV: Timestamp,Provider,Counter Name,Counter Type,Mean/Increment; keeps the last row of each counter.
static IReadOnlyList<(string Name, double Value)> LastSamples(string csv)
{
    var last = new Dictionary<string, double>(StringComparer.Ordinal);
    foreach (var line in File.ReadLines(csv).Skip(1))
    {
        var f = line.Split(',');
        if (f.Length >= 5 && double.TryParse(f[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) last[f[2]] = value;
    }
    return last.Select(l => (l.Key, l.Value)).OrderBy(l => l.Key, StringComparer.Ordinal).ToList();
}
