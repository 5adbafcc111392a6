// The diagnosis of lab 02, as the report's "Diagnosis" quotes it: dotnet run labs/02-closure-leak/diagnose.cs
// (from the repository root, after `dotnet tool restore`). Each step prints the command that does the same by hand,
// then what it printed; the transcript, the dump and figures.json land in artifacts/diagnosis/02/.
#:project ../../src/Workshop.Toolkit/Workshop.Toolkit.csproj

using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Processes;

await using var run = Diagnosis.Begin("02");
string[] watched = ["app_stopping_callbacks", "dotnet_gc_heap_size_bytes"];
var services = new Dictionary<string, LabService>();
var throughput = new Dictionary<string, double>();

// The symptoms: the same load on both variants, the service's own figures after a warm-up and after the load.
foreach (var variant in new[] { "Broken", "Fixed" })
{
    var v = variant.ToLowerInvariant();
    run.Step($"{variant}: a warm-up of 200 reports, then 5,000 more, with the service's own figures after each");
    var service = services[variant] = await run.StartAsync(variant);
    await run.LoadAsync(service, "/api/reports/42", requests: 200, concurrency: 8);
    var warm = await run.MetricsAsync(service, watched);
    var load = await run.LoadAsync(service, "/api/reports/42", requests: 5_000, concurrency: 8);
    var loaded = await run.MetricsAsync(service, watched);
    run.Figure($"{v}_callbacks_warm", warm["app_stopping_callbacks"]);
    run.Figure($"{v}_heap_warm_mb", warm["dotnet_gc_heap_size_bytes"] / 1e6);
    run.Figure($"{v}_callbacks_loaded", loaded["app_stopping_callbacks"]);
    run.Figure($"{v}_heap_loaded_mb", loaded["dotnet_gc_heap_size_bytes"] / 1e6);
    throughput[variant] = load.Throughput;
}
run.Figure("throughput_ratio", throughput["Broken"] / throughput["Fixed"]);
var broken = services["Broken"];

run.Step("Fixed: a heap dump (the tool forces a full collection first)");
var fixedDump = run.PathFor("fixed.gcdump");
await run.ToolAsync("dotnet-gcdump", ["collect", "-p", $"{services["Fixed"].ProcessId}", "-o", fixedDump], show: "^$");
run.Figure("fixed_heap_dump_mb", LiveHeap.Parse(await run.ToolAsync("dotnet-gcdump", ["report", fixedDump], show: "GC Heap bytes")).HeapBytes / 1e6);

run.Step("Broken: a heap dump, what the memory is and how many");
var dump = run.PathFor("broken.gcdump");
await run.ToolAsync("dotnet-gcdump", ["collect", "-p", $"{broken.ProcessId}", "-o", dump], show: "^$");
var report = await run.ToolAsync("dotnet-gcdump", ["report", dump],
    show: @"GC Heap|Byte\[\] \(Bytes > 100K|CallbackNode|Linked2|DisplayClass3_0  \[Lab02");
var heap = LiveHeap.Parse(report);
run.Figure("broken_heap_dump_mb", heap.HeapBytes / 1e6);
run.Figure("large_buffers", LargeBuffers(report)); // the report's row of arrays over 100 KB, which Parse adds to the smaller ones
run.Figure("linked_token_sources", heap.Count("Linked2CancellationTokenSource"));
run.Figure("closures", heap.Count("[]c__DisplayClass3_0"));

run.Step("Broken: the toolkit's heap diff: two live-heap snapshots 1,000 reports apart, each type with what holds it");
var before = await HeapSnapshot.TakeAsync(broken.ProcessId);
await run.LoadAsync(broken, "/api/reports/42", requests: 1_000, concurrency: 8);
var diff = HeapDiff.Between(before, await HeapSnapshot.TakeAsync(broken.ProcessId));
run.Say(diff.ToTable(8));
run.Figure("diff_growth_mb", diff.BytesGrowth / 1e6);
run.Figure("diff_buffers", diff.Find("System.Byte[]")?.CountGrowth ?? 0);
run.Say("The path that keeps one buffer alive, from the buffer to its GC root:");
run.Say(string.Join("\n <- ", diff.After.RootPath("System.Byte[]")));

static double LargeBuffers(string report) =>
    System.Text.RegularExpressions.Regex.Match(report, @"\s[\d,]+\s+([\d,]+)\s+System\.Byte\[\] \(Bytes > 100K") is { Success: true } m
        ? double.Parse(m.Groups[1].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture)
        : throw new InvalidOperationException("the gcdump report has no row of byte arrays over 100 KB");
