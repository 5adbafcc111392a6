// The diagnosis of lab 09, as the report's "Symptoms" and "Diagnosis" quote it:
//   dotnet run labs/09-consumer-backlog/diagnose.cs
// (from the repository root, with Debian's rabbitmq-server installed: tools/setup.sh). Each step prints the command that
// does the same by hand, then what it printed; the transcript and figures.json land in artifacts/diagnosis/09/.
#:project ../../src/Workshop.Toolkit/Workshop.Toolkit.csproj
#:project Replay/Lab09.Replay.csproj

using Lab09.Replay;
using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Processes;

await using var run = Diagnosis.Begin("09");
const int Deep = 4_000, Restart = 400, RestartFrom = 100_000; // the restart's orders, ids of their own

foreach (var variant in new[] { "Broken", "Fixed" })
{
    var v = variant.ToLowerInvariant();
    run.Step($"{variant}: the warehouse stalls, {Deep:N0} order events arrive; what the broker still holds, and the consumer's heap");
    await using var broker = await RabbitMqServer.StartAsync();
    run.Say($"$ RABBITMQ_NODE_PORT={broker.Port} rabbitmq-server &   # on loopback, a node of its own");
    await using var warehouse = await Downstream.StartAsync(new DownstreamBehaviour("hang", BodyKb: 0));
    run.Say($"$ curl -X PUT {warehouse.BaseAddress}control -d '{{\"mode\":\"hang\"}}'   # the warehouse holds every call");
    await using (var shop = await Shop.ConnectAsync(broker.AmqpUri, "order-events-deep"))
    {
        var service = await run.StartAsync(variant, ("Lab:Broker", broker.AmqpUri.ToString()), ("Lab:Queue", shop.Queue), ("Lab:Warehouse", warehouse.BaseAddress.ToString()));
        await WaitForAsync(async () => (await shop.CountsAsync()).Consumers > 0, TimeSpan.FromSeconds(30));
        await HeapSnapshot.CollectGarbageAsync(service.ProcessId); // a full collection first: what the heap keeps, not its garbage
        run.Say($"$ dotnet-gcdump collect -p {service.ProcessId} > /dev/null   # forces a full collection");
        var before = (await run.MetricsAsync(service, "dotnet_gc_heap_size_bytes"))["dotnet_gc_heap_size_bytes"];
        await shop.PublishAsync(0, Deep);
        run.Say($"$ # {Deep:N0} persistent OrderPlaced events of {Shop.Event(0).Length:N0} bytes published, each confirmed");
        var ready = await SettledAsync(shop);
        run.Say($"$ rabbitmqctl -n {broker.Port} list_queues name messages_ready messages_unacknowledged");
        run.Say($"  {shop.Queue}  {ready}  {Deep - ready}");
        run.Figure($"{v}_held", Deep - ready);
        await HeapSnapshot.CollectGarbageAsync(service.ProcessId);
        run.Say($"$ dotnet-gcdump collect -p {service.ProcessId} > /dev/null");
        var after = (await run.MetricsAsync(service, "dotnet_gc_heap_size_bytes"))["dotnet_gc_heap_size_bytes"];
        run.Figure($"{v}_heap_growth_mb", Math.Round((after - before) / 1048576, 1));
        await warehouse.SetAsync(new DownstreamBehaviour("ok", BodyKb: 0));
        await service.DisposeAsync();
    }

    run.Step($"{variant}: {Restart} orders queued, the consumer stopped (SIGTERM) with an order in hand, started again; reservations the warehouse made");
    await warehouse.SetAsync(new DownstreamBehaviour("hang", BodyKb: 0));
    await using (var shop = await Shop.ConnectAsync(broker.AmqpUri, "order-events-restart"))
    {
        var reservationsBefore = await warehouse.RequestsAsync() - await warehouse.KeyRepeatsAsync();
        var requestsBefore = await warehouse.RequestsAsync();
        await shop.PublishAsync(RestartFrom, Restart);
        var first = await run.StartAsync(variant, ("Lab:Broker", broker.AmqpUri.ToString()), ("Lab:Queue", shop.Queue), ("Lab:Warehouse", warehouse.BaseAddress.ToString()));
        await warehouse.WaitForRequestsAsync(requestsBefore + 1, TimeSpan.FromSeconds(30));
        var stopping = first.StopAsync();
        run.Say($"$ kill -TERM {first.ProcessId}   # with an order in hand");
        await WaitForAsync(async () => (await shop.CountsAsync()).Consumers == 0, TimeSpan.FromSeconds(15));
        await warehouse.SetAsync(new DownstreamBehaviour("ok", BodyKb: 0));
        await stopping;
        await using var second = await run.StartAsync(variant, ("Lab:Broker", broker.AmqpUri.ToString()), ("Lab:Queue", shop.Queue), ("Lab:Warehouse", warehouse.BaseAddress.ToString()));
        await WaitForAsync(async () => (await shop.CountsAsync()).Ready == 0 && await warehouse.RequestsAsync() - await warehouse.KeyRepeatsAsync() - reservationsBefore >= Restart, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2)); // stragglers
        var reservations = await warehouse.RequestsAsync() - await warehouse.KeyRepeatsAsync() - reservationsBefore;
        run.Say($"$ curl -s {warehouse.BaseAddress}metrics | grep -E 'downstream_requests_total|idempotency_repeats'");
        run.Say($"  reservations made for {Restart} orders: {reservations}");
        run.Figure($"{v}_restart_reservations", reservations);
    }
}

// Until the broker holds the same number of ready messages for a second (a prefetch limit reached), or none.
static async Task<long> SettledAsync(Shop shop)
{
    var clock = System.Diagnostics.Stopwatch.StartNew();
    long last = -1;
    var same = 0;
    while (clock.Elapsed < TimeSpan.FromSeconds(30))
    {
        var (ready, _) = await shop.CountsAsync();
        if (ready == 0) return 0;
        same = ready == last ? same + 1 : 0;
        if (same >= 10) return ready;
        last = ready;
        await Task.Delay(100);
    }
    return last;
}

static async Task WaitForAsync(Func<Task<bool>> done, TimeSpan timeout)
{
    var clock = System.Diagnostics.Stopwatch.StartNew();
    while (!await done())
    {
        if (clock.Elapsed > timeout) throw new TimeoutException($"not done in {timeout.TotalSeconds:0} s");
        await Task.Delay(100);
    }
}
