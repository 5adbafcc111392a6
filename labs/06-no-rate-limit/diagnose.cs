// The diagnosis of lab 06, as the report's "Symptoms" and "Diagnosis" quote it:
//   dotnet run labs/06-no-rate-limit/diagnose.cs
// (from the repository root). Each step prints the command that does the same by hand, then what it printed; the
// transcript and figures.json land in artifacts/diagnosis/06/.
#:project ../../src/Workshop.Toolkit/Workshop.Toolkit.csproj

using System.Diagnostics;
using Workshop.Toolkit.Diagnostics;

await using var run = Diagnosis.Begin("06");

foreach (var variant in new[] { "Broken", "Fixed" })
{
    var v = variant.ToLowerInvariant();
    run.Step($"{variant}: a deleted user, then 2,000 lookups as fast as possible from one caller; meanwhile one more from it, and 40 from shop front-ends, one at a time");
    var api = await run.StartAsync(variant, ("Lab:WorkFactor", "8000"));
    await run.CurlAsync(api, HttpMethod.Get, "/api/users/10", headers: new Dictionary<string, string> { ["X-Client-Id"] = "batch-job" }, showStatus: true);
    run.Figure($"{v}_missing_status", run.LastStatus);

    var cpu = Process.GetProcessById(api.ProcessId).TotalProcessorTime;
    var flood = run.LoadAsync(api, i => Lookup($"/api/users/{1 + i % 9}", "batch-job"), 2_000, 50,
        $"hey -n 2000 -c 50 -H 'X-Client-Id: batch-job' {api.BaseAddress}api/users/1");
    await Task.Delay(TimeSpan.FromMilliseconds(200));
    await run.CurlAsync(api, HttpMethod.Get, "/api/users/1", headers: new Dictionary<string, string> { ["X-Client-Id"] = "batch-job" }, showStatus: true);
    run.Figure($"{v}_flood_probe_status", run.LastStatus);
    var victim = await run.LoadAsync(api, i => Lookup($"/api/users/{1 + i % 9}", $"web-shop-{i}"), 40, 1,
        $"for i in $(seq 40); do curl -s -o /dev/null -w '%{{time_total}}\\n' -H \"X-Client-Id: web-shop-$i\" {api.BaseAddress}api/users/1; done   # meanwhile");
    var floodResult = await flood;
    cpu = Process.GetProcessById(api.ProcessId).TotalProcessorTime - cpu;
    run.Say($"CPU used by the service meanwhile: {cpu.TotalSeconds:0.0} s");

    run.Figure($"{v}_flood_ok", floodResult.Count("200"));
    run.Figure($"{v}_flood_429", floodResult.Count("429"));
    run.Figure($"{v}_flood_seconds", floodResult.Elapsed.TotalSeconds);
    run.Figure($"{v}_victim_p99_ms", victim.P99);
    run.Figure($"{v}_cpu_s", cpu.TotalSeconds);
    await api.DisposeAsync();
}

static HttpRequestMessage Lookup(string path, string caller) => new(HttpMethod.Get, path) { Headers = { { "X-Client-Id", caller } } };
