// The diagnosis of lab 01, as the report's "Symptoms" and "Diagnosis" quote it:
//   dotnet run labs/01-logging-blocking/diagnose.cs
// (from the repository root, after `dotnet tool restore`). Each step prints the command that does the same by hand,
// then what it printed; the transcript and figures.json land in artifacts/diagnosis/01/.
#:project ../../src/Workshop.Toolkit/Workshop.Toolkit.csproj

using System.Diagnostics;
using Workshop.Toolkit.Diagnostics;

await using var run = Diagnosis.Begin("01");
var slowDisk = ("Lab:LogSinkDelayMs", "100");
var logs = ("Lab:LogDirectory", run.PathFor("logs"));

run.Step("Broken, its log volume at 100 ms a write: 50 clients for 10 s, and what the process does meanwhile");
var broken = await run.StartAsync("Broken", slowDisk, logs);
var cpuBefore = Process.GetProcessById(broken.ProcessId).TotalProcessorTime;
var load = run.LoadForAsync(broken, "/api/orders/42", TimeSpan.FromSeconds(10), concurrency: 50);
await Task.Delay(TimeSpan.FromSeconds(3));
// Three health checks at once, as an orchestrator's probes and a load balancer's arrive: a lock admits its waiters in
// no fixed order, so one probe alone may be lucky; the median is what a probe typically waits.
var probes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => run.TimeGetAsync(broken, "/healthz")));
var health = probes.Order().ElementAt(1);
run.Say($"The median of three health checks sent together: {health.TotalSeconds:0.0} s");
var stacks = await run.ToolAsync("dotnet-stack", ["report", "-p", $"{broken.ProcessId}"], show: "^$");
run.Say("Threads in the lab's code, grouped by where they are (the toolkit's reading of the dotnet-stack report):");
foreach (var group in DotnetDiagnostics.GroupThreads(stacks, "Lab01.").Take(3))
{
    run.Say($"  {group.Threads,3} thread(s) in {group.Via}, inside {group.Calls} (innermost: {group.Innermost})");
}
var result = await load;
var cpu = Process.GetProcessById(broken.ProcessId).TotalProcessorTime - cpuBefore;
run.Say($"CPU used by the service during the load: {cpu.TotalSeconds:0.0} s in {result.Elapsed.TotalSeconds:0} s");
run.Figure("broken_requests", result.Completed);
run.Figure("broken_per_second", result.Throughput);
run.Figure("broken_p50_s", result.P50 / 1000);
run.Figure("broken_p99_s", result.P99 / 1000);
run.Figure("broken_healthz_s", health.TotalSeconds);
run.Figure("broken_cpu_s", cpu.TotalSeconds);
await broken.DisposeAsync();

run.Step("The hotfix (NaiveFix), the same disk: 100,000 requests from 50 clients, then its heap and its queue");
// The production clients sent a session token of about 3 KB with every request, and the request line logs it.
var token = string.Concat(Enumerable.Repeat("eyJhbGciOiJSUzI1NiJ9", 150));
var naive = await run.StartAsync("NaiveFix", slowDisk, logs);
var naiveLoad = await run.LoadAsync(naive, _ =>
{
    var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/42");
    request.Headers.Add("Authorization", $"Bearer {token}");
    return request;
}, requests: 100_000, concurrency: 50, $"hey -n 100000 -c 50 -H 'Authorization: Bearer <{token.Length:N0} characters>' {naive.BaseAddress}api/orders/42");
var naiveHealth = await run.TimeGetAsync(naive, "/healthz");
var figures = await run.MetricsAsync(naive, "dotnet_gc_heap_size_bytes", "log_queue_length", "log_events_written_total");
run.Figure("naive_p99_ms", naiveLoad.P99);
run.Figure("naive_healthz_ms", naiveHealth.TotalMilliseconds);
run.Figure("naive_heap_mb", figures["dotnet_gc_heap_size_bytes"] / 1e6);
run.Figure("naive_queue", figures["log_queue_length"]);
run.Figure("naive_written", figures["log_events_written_total"]);

run.Step("The hotfix's live heap, type by type, with what holds each (the toolkit's snapshot, after a full collection)");
var heap = await HeapSnapshot.TakeAsync(naive.ProcessId);
run.Say(heap.ToTable(5));
run.Figure("naive_live_mb", heap.Bytes / 1048576.0); // in the unit the table prints (MiB)
run.Figure("naive_strings", heap.Find("System.String")?.Count ?? 0);
run.Figure("naive_strings_mb", (heap.Find("System.String")?.Bytes ?? 0) / 1e6);
