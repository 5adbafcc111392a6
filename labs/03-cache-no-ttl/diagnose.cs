// The diagnosis of lab 03, as the report's "Symptoms" and "Diagnosis" quote it:
//   dotnet run labs/03-cache-no-ttl/diagnose.cs
// (from the repository root, after `dotnet tool restore`). Each step prints the command that does the same by hand,
// then what it printed; the transcript, the dumps and figures.json land in artifacts/diagnosis/03/.
#:project ../../src/Workshop.Toolkit/Workshop.Toolkit.csproj

using System.Text.RegularExpressions;
using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Processes;

const int Links = 50_000;
string[] watched = ["dotnet_gc_heap_size_bytes", "price_cache_entries", "price_source_calls_total", "price_cache_hits_total",
    "price_cache_misses_total", "price_cache_evictions_total"];

await using var run = Diagnosis.Begin("03");

// The campaign, the same clicks spray.lua sends: four in five point to the campaign's 500 products, the rest anywhere
// in the catalogue, and every link carries its own utm_id.
static string Link(long i) =>
    $"/api/prices/sku-{(i % 5 == 4 ? 1 + i * 7919 % 150_000 : 1 + i % 500):D6}?currency=EUR&utm_source=newsletter&utm_medium=email" +
    $"&utm_campaign=spring-sale-2025&utm_id={i:D8}";

foreach (var variant in new[] { "Broken", "Fixed" })
{
    var v = variant.ToLowerInvariant();
    run.Step($"{variant}: the campaign, {Links:N0} distinct links on 32 connections, with the live heap before and after");
    var service = await run.StartAsync(variant);
    run.Figure($"{v}_live_before_mb", await LiveHeapMb(service, $"{v}-before.gcdump"));
    var load = await run.LoadAsync(service, Link, Links, 32, $"SPRAY={Links} wrk -t1 -c32 -d60s -s labs/03-cache-no-ttl/spray.lua {service.BaseAddress}");
    var after = await run.MetricsAsync(service, watched);
    var liveAfter = run.Figure($"{v}_live_after_mb", await LiveHeapMb(service, $"{v}-after.gcdump"));
    run.Figure($"{v}_live_growth_mb", liveAfter - run.Figures[$"{v}_live_before_mb"]);
    run.Figure($"{v}_bytes_per_link", (liveAfter - run.Figures[$"{v}_live_before_mb"]) * 1e6 / Links);
    run.Figure($"{v}_seconds", load.Elapsed.TotalSeconds);
    run.Figure($"{v}_per_second", load.Throughput);
    run.Figure($"{v}_mean_ms", load.Mean);
    run.Figure($"{v}_entries", after["price_cache_entries"]);
    run.Figure($"{v}_source_calls", after["price_source_calls_total"]);
    if (variant == "Fixed")
    {
        run.Figure("fixed_hits", after["price_cache_hits_total"]);
        run.Figure("fixed_misses", after["price_cache_misses_total"]);
        run.Figure("fixed_evictions", after["price_cache_evictions_total"]);
    }
    if (variant == "Broken")
    {
        run.Step("Broken: what the live objects are (the report sorts by the size of one object; these are its largest counts)");
        var report = await run.ToolAsync("dotnet-gcdump", ["report", run.PathFor("broken-after.gcdump")],
            show: @"GC Heap|System\.String  |Lab03\.Prices\.Price  |Node<System\.String,Lab03\.Prices\.Price>");
        var heap = LiveHeap.Parse(report);
        run.Figure("broken_dump_prices", heap.Count("Lab03.Prices.Price"));
        run.Figure("broken_dump_nodes", heap.Count("Node<System.String,Lab03.Prices.Price>"));
        run.Figure("broken_dump_strings", heap.Count("System.String"));
    }
    await service.DisposeAsync();
}

// The stale price: the same product read, changed, and read again once the TTL would be up.
foreach (var (variant, settings) in new[] { ("Broken", new (string, string)[] { ("Lab:CacheTtlSeconds", "5") }), ("Fixed", [("Lab:CacheTtlSeconds", "5")]) })
{
    var v = variant.ToLowerInvariant();
    run.Step($"{variant}: a price changed at the store, read again after the 5 s TTL, and through a link never seen before");
    var service = await run.StartAsync(variant, settings);
    run.Figure($"{v}_price_before", Amount(await run.CurlAsync(service, HttpMethod.Get, "/api/prices/SKU-000777")));
    await run.CurlAsync(service, HttpMethod.Put, "/api/prices/SKU-000777", """{"amount": 49.90}""");
    await run.SleepAsync(TimeSpan.FromSeconds(6));
    run.Figure($"{v}_price_after_ttl", Amount(await run.CurlAsync(service, HttpMethod.Get, "/api/prices/SKU-000777")));
    run.Figure($"{v}_price_fresh_link", Amount(await run.CurlAsync(service, HttpMethod.Get, "/api/prices/SKU-000777?utm_source=x")));
    if (variant == "Fixed")
    {
        var figures = await run.MetricsAsync(service, "price_cache_entries", "price_cache_evictions_total", "price_cache_hits_total", "price_cache_misses_total");
        run.Figure("fixed_demo_expired", figures["price_cache_evictions_total"]);
    }
}

async Task<double> LiveHeapMb(LabService service, string file)
{
    // dotnet-gcdump forces a full collection first, so its total is the live heap.
    await run.ToolAsync("dotnet-gcdump", ["collect", "-p", $"{service.ProcessId}", "-o", run.PathFor(file)], show: "^$");
    var report = await run.ToolAsync("dotnet-gcdump", ["report", run.PathFor(file)], show: "GC Heap bytes");
    return LiveHeap.Parse(report).HeapBytes / 1e6;
}

static double Amount(string json) =>
    double.Parse(Regex.Match(json, @"""amount"":\s*([\d.]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
