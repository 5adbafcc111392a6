// The diagnosis of lab 07, as the report's "Symptoms" and "Diagnosis" quote it:
//   dotnet run labs/07-circuit-breaker/diagnose.cs
// (from the repository root). Each step prints the command that does the same by hand, then what it printed; the
// transcript and figures.json land in artifacts/diagnosis/07/.
#:project ../../src/Workshop.Toolkit/Workshop.Toolkit.csproj

using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Prometheus;

await using var run = Diagnosis.Begin("07");
const int Customers = 10; // as many as the database pool has connections
const string Cart = """{"items":[{"sku":"SKU-1001","quantity":2}],"cardToken":"tok_visa4242"}""";

foreach (var variant in new[] { "Broken", "Fixed" })
{
    var v = variant.ToLowerInvariant();
    run.Step($"{variant}: the payment provider hangs; {Customers} customers check out at once, and meanwhile someone opens the catalog");
    await using var provider = await Downstream.StartAsync(DownstreamBehaviour.Hang);
    run.Say($"(the provider fake, told to hang, listens on {provider.BaseAddress}: dotnet run --project src/Workshop.Downstream -- --urls {provider.BaseAddress.ToString().TrimEnd('/')} " +
        "then curl -X PUT -H 'content-type: application/json' -d '{\"mode\":\"hang\"}' .../control)");
    var shop = await run.StartAsync(variant, ("Lab:PaymentUrl", provider.BaseAddress.ToString().TrimEnd('/')),
        ("Lab:PaymentTimeoutMs", "1500"), ("Lab:AttemptTimeoutMs", "1000"), ("Lab:BreakDurationSeconds", "5"));
    var checkouts = run.LoadAsync(shop, _ => new HttpRequestMessage(HttpMethod.Post, "/api/checkout") { Content = new StringContent(Cart, System.Text.Encoding.UTF8, "application/json") },
        Customers, Customers, $"hey -n {Customers} -c {Customers} -m POST -T application/json -d '{Cart}' {new Uri(shop.BaseAddress, "/api/checkout")} &");
    await provider.WaitForRequestsAsync(Customers, TimeSpan.FromSeconds(60)); // every customer's first try has reached the provider

    var pool = await run.MetricsAsync(shop, "shop_db_pool_in_use", "shop_db_pool_waiting");
    run.Figure($"{v}_pool_in_use", pool["shop_db_pool_in_use"]);
    var catalog = run.TimeGetAsync(shop, "/api/catalog/SKU-1002", TimeSpan.FromSeconds(60));
    var health = run.TimeGetAsync(shop, "/healthz", TimeSpan.FromSeconds(60));
    run.Figure($"{v}_catalog_s", Math.Round((await catalog).TotalSeconds, 3));
    run.Figure($"{v}_healthz_s", Math.Round((await health).TotalSeconds, 3));
    var load = await checkouts;
    run.Figure($"{v}_checkout_slowest_ms", Math.Round(load.Max, 1));

    var calls = await run.MetricsAsync(new Uri(provider.BaseAddress, "/metrics"), "downstream_requests_total");
    run.Figure($"{v}_provider_calls", calls["downstream_requests_total"]);
    await run.MetricsAsync(shop, "shop_payment_calls_total", "shop_checkouts_total", "shop_payment_breaker_state");
    using (var reader = new MetricsReader(shop.BaseAddress))
    {
        run.Figure($"{v}_breaker_open", (await reader.ScrapeAsync()).Value("shop_payment_breaker_state", ("state", "open")) ?? 0);
    }

    run.Say("One more customer checks out:");
    await run.CurlAsync(shop, HttpMethod.Post, "/api/checkout", Cart, showStatus: true);
    run.Figure($"{v}_next_status", run.LastStatus);

    if (variant == "Fixed")
    {
        run.Step("Fixed: the provider heals; after the 5 s break the breaker lets one call through, and checkout is paid again");
        run.Say($"$ curl -X PUT -H 'content-type: application/json' -d '{{\"mode\":\"ok\"}}' {provider.BaseAddress}control");
        await provider.SetAsync(DownstreamBehaviour.Ok);
        await run.CurlAsync(shop, HttpMethod.Post, "/api/checkout", Cart, showStatus: true);
        run.Figure("healed_at_once_status", run.LastStatus);
        await run.SleepAsync(TimeSpan.FromSeconds(5));
        await run.CurlAsync(shop, HttpMethod.Post, "/api/checkout", Cart, showStatus: true);
        run.Figure("healed_after_break_status", run.LastStatus);
        await run.MetricsAsync(shop, "shop_payment_breaker_state");
    }
    await shop.DisposeAsync();
}
