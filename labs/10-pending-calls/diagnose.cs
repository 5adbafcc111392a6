// The diagnosis of lab 10, as the report's "Symptoms" and "Diagnosis" quote it:
//   dotnet run labs/10-pending-calls/diagnose.cs
// (from the repository root). Each step prints the command that does the same by hand, then what it printed; the
// transcript and figures.json land in artifacts/diagnosis/10/.
#:project ../../src/Workshop.Toolkit/Workshop.Toolkit.csproj
#:project Replay/Lab10.Replay.csproj

using System.Globalization;
using Lab10.Replay;
using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Processes;

await using var run = Diagnosis.Begin("10");
const int Calls = 1_000;
var backendProject = Path.Combine(run.Lab.Directory, "Backend", "Lab10.Backend.csproj");

foreach (var variant in new[] { "Broken", "Fixed" })
{
    var v = variant.ToLowerInvariant();
    run.Step($"{variant}: {Calls:N0} basket checks at once, the backend dropping one answer in ten; who is still waiting 6 s later, and what the heap keeps");
    var port = LabService.FreePort();
    await using var backend = await LabService.StartProjectAsync(backendProject, run.Lab.Name, "Backend", new Dictionary<string, string>
    {
        ["Backend:TcpPort"] = port.ToString(CultureInfo.InvariantCulture), ["Backend:DropRate"] = "0",
    });
    run.Say($"$ dotnet Lab10.Backend.dll --urls {backend.BaseAddress.ToString().TrimEnd('/')} --Backend:TcpPort={port} --Backend:DropRate=0 &");
    await using var service = await run.StartAsync(variant, ("Lab:Inventory", $"127.0.0.1:{port}"));
    using var shop = service.CreateClient(2_048);
    shop.Timeout = Timeout.InfiniteTimeSpan;
    using var giveUp = new CancellationTokenSource();
    // The same burst once with every answer coming, so the buffers a thousand requests at once need are there before
    // the heap is measured: what grows after is what the calls keep.
    await Task.WhenAll(Enumerable.Range(0, Calls).Select(async i => { using var r = await shop.SendAsync(Baskets.Check(Calls + i)); }));
    run.Say($"$ # the same {Calls:N0} checks once with every answer coming (warm-up)");
    await run.CurlAsync(backend, HttpMethod.Put, "/control", """{"dropRate":0.1}""");
    await HeapSnapshot.CollectGarbageAsync(service.ProcessId);
    var before = (await run.MetricsAsync(service, "dotnet_gc_heap_size_bytes"))["dotnet_gc_heap_size_bytes"];

    var calls = Enumerable.Range(0, Calls).Select(i => Task.Run(async () =>
    {
        using var response = await shop.SendAsync(Baskets.Check(i), giveUp.Token);
        return (int)response.StatusCode;
    })).ToList();
    run.Say($"$ seq {Calls} | xargs -P {Calls} -I{{}} curl -s -o /dev/null -w '%{{http_code}}\\n' -H 'Content-Type: application/json' -d @basket-{{}}.json {service.BaseAddress}api/stock/check | sort | uniq -c");
    await run.SleepAsync(TimeSpan.FromSeconds(6));
    var answered = calls.Where(c => c.IsCompletedSuccessfully).GroupBy(c => c.Result).OrderBy(g => g.Key).ToList();
    foreach (var g in answered) run.Say($"  {g.Count(),5} {g.Key}");
    var waiting = calls.Count(c => !c.IsCompleted);
    run.Say($"  {waiting,5} still waiting");
    run.Figure($"{v}_waiting", waiting);
    run.Figure($"{v}_answered_504", answered.Where(g => g.Key == 504).Sum(g => g.Count()));
    await run.MetricsAsync(new Uri(backend.BaseAddress, "/metrics"), "backend_requests_total", "backend_dropped_total");

    await HeapSnapshot.CollectGarbageAsync(service.ProcessId);
    run.Say($"$ dotnet-gcdump collect -p {service.ProcessId} > /dev/null   # forces a full collection");
    // Broken keeps no count of its table; Fixed's is inventory_pending_calls.
    var after = await run.MetricsAsync(service, variant == "Fixed" ? ["dotnet_gc_heap_size_bytes", "inventory_pending_calls"] : ["dotnet_gc_heap_size_bytes"]);
    run.Figure($"{v}_heap_growth_mb", Math.Round((after["dotnet_gc_heap_size_bytes"] - before) / 1048576, 1));
    if (variant == "Fixed") run.Figure($"{v}_pending", after["inventory_pending_calls"]);
    await giveUp.CancelAsync();
    try { await Task.WhenAll(calls); } catch (Exception e) when (e is OperationCanceledException or HttpRequestException) { }
}
