using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Workshop.Toolkit.Replay;

/// <summary>
/// Lab 03: a mail campaign's links hit the pricing API, 5,000 a second, each with its own tracking id, while the pricing team
/// changes a price every second. Broken keeps one entry per distinct URL for ever and never sees the new prices;
/// Fixed holds at most its limit, shares one entry between links to the same price, and serves a change once its
/// TTL is up.
/// </summary>
/// <remarks>
/// The load ends with a full garbage collection in the service (<see cref="LiveHeap"/>), so that "GC heap at end" is
/// what the service keeps after the campaign, not garbage waiting for a collection.
/// Besides the HTTP statuses, the load's <see cref="LoadResult.ByStatus"/> carries the stale-read probe's verdicts:
/// <see cref="StaleReads"/> (a read, more than the TTL after a price changed, that still served an older price)
/// and <see cref="CurrentReads"/>.
/// </remarks>
public sealed class CacheNoTtlScenario : LabScenario
{
    /// <summary>The price store's latency in the replay: short, so that tens of thousands of requests fit in a few seconds.</summary>
    public const int SourceLatencyMs = 2;

    /// <summary>How long Fixed may serve a cached price in the replay.</summary>
    public const int TtlSeconds = 2;

    /// <summary>How many prices Fixed's cache holds at most (the service's default).</summary>
    public const int SizeLimit = 2_000;

    /// <summary>Campaign links clicked per second, the same for both variants, so that both serve the same traffic.</summary>
    public const int LinksPerSecond = 5_000;

    /// <summary>Connections the clicks arrive on (requests beyond them wait in the client, and their latency counts from when they were due).</summary>
    public const int Connections = 64;

    /// <summary>The products most links point to (the campaign's own); the rest spread over the catalogue.</summary>
    public const int HotProducts = 500;

    /// <summary>The product whose price the probe changes every second and reads back.</summary>
    public const string ProbeSku = "SKU-199999";

    /// <summary>Key of <see cref="LoadResult.ByStatus"/>: probe reads that served a price older than the TTL allows.</summary>
    public const string StaleReads = "stale reads";

    /// <summary>Key of <see cref="LoadResult.ByStatus"/>: probe reads, judged like the stale ones, that served the current price.</summary>
    public const string CurrentReads = "current reads";

    private static readonly TimeSpan ChangeEvery = TimeSpan.FromSeconds(1);
    private static int _sends;
    private static int _priceChanges;
    private static readonly TimeSpan ReadEvery = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);

    /// <inheritdoc />
    public override string Lab => "03-cache-no-ttl";

    /// <inheritdoc />
    public override string Title => "The cache that never forgets";

    /// <inheritdoc />
    public override string Symptom =>
        "A cache keyed by the raw URL, with no limit and no expiry: one entry per link clicked, a heap that only grows, and price changes never served.";

    /// <inheritdoc />
    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(8);

    /// <inheritdoc />
    public override IReadOnlyList<string> LabMetrics =>
        ["price_cache_entries", "price_source_calls_total", "price_cache_hits_total", "price_cache_misses_total", "price_cache_evictions_total"];

    /// <inheritdoc />
    public override HeadlineSpec Headline { get; } = new("price_cache_entries_peak", Better.Lower, Floor: 1, h => string.Create(CultureInfo.InvariantCulture,
        $"After {LinksPerSecond:N0} campaign links a second, each one a distinct URL, Broken held {h.Broken:N0} cache entries and Fixed {h.Fixed:N0} " +
        $"(its limit is {SizeLimit:N0}): {h.Ratio:N0}x fewer, because links to the same price share one entry and the cache evicts when full."));

    /// <inheritdoc />
    public override Task<ScenarioContext> PrepareAsync(string variant, CancellationToken ct) =>
        Task.FromResult(new ScenarioContext(new Dictionary<string, string>
        {
            ["Lab:SourceLatencyMs"] = SourceLatencyMs.ToString(CultureInfo.InvariantCulture),
            ["Lab:CacheTtlSeconds"] = TtlSeconds.ToString(CultureInfo.InvariantCulture),
            ["Lab:CacheSizeLimit"] = SizeLimit.ToString(CultureInfo.InvariantCulture),
        }));

    /// <summary>
    /// The link of request <paramref name="i"/> of mail send <paramref name="send"/>: four in five point to the
    /// campaign's products, the rest anywhere in the catalogue; every one carries its own <c>utm_id</c>, so no two URLs
    /// are the same, within a send or across sends.
    /// </summary>
    public static string CampaignLink(int send, long i)
    {
        var product = i % 5 == 4 ? 1 + (int)(i * 7_919 % 150_000) : 1 + (int)(i % HotProducts);
        return string.Create(CultureInfo.InvariantCulture,
            $"/api/prices/sku-{product:D6}?currency=EUR&utm_source=newsletter&utm_medium=email&utm_campaign=spring-sale-2025&utm_id={send:D2}{i:D8}");
    }

    /// <inheritdoc />
    public override async Task<LoadResult> DriveAsync(LabService service, TimeSpan duration, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        LoadResult load;
        long current, stale;
        // Connections are capped, so that both services hold the same few: a slower one would otherwise open more, and
        // their buffers would count in its heap as if the cache held them.
        using (var client = service.CreateClient(Connections))
        {
            var send = Interlocked.Increment(ref _sends);
            var probe = ProbeAsync(client, duration, ct);
            load = await LoadDriver.RunOpenLoopAsync(client, i => new HttpRequestMessage(HttpMethod.Get, CampaignLink(send, i)),
                LinksPerSecond, duration, new LoadSettings { RequestTimeout = TimeSpan.FromSeconds(10) }, progress, ct).ConfigureAwait(false);
            (current, stale) = await probe.ConfigureAwait(false);
        }
        await CollectGarbageAsync(service, ct).ConfigureAwait(false);
        return load with
        {
            ByStatus = new Dictionary<string, long>(load.ByStatus, StringComparer.Ordinal) { [CurrentReads] = current, [StaleReads] = stale },
        };
    }

    /// <summary>
    /// A full collection in the service, so that the GC heap read after the load is what the service keeps, not the
    /// garbage of the last few seconds: dotnet-gcdump forces one. Without the tool (no <c>dotnet tool restore</c>), the
    /// heap stays as the last ordinary collection left it.
    /// </summary>
    private static async Task CollectGarbageAsync(LabService service, CancellationToken ct)
    {
        try
        {
            await LiveHeap.MeasureAsync(service.ProcessId, ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The tool is not restored or could not attach: the heap figures then include uncollected garbage.
        }
    }

    /// <summary>
    /// Every second, changes the probe product's price at the store (<c>PUT</c>); every 100 ms, reads it back the way a
    /// product page does. A read that starts more than the TTL (plus half a second) after a change is judged: stale
    /// when it serves a price older than that change.
    /// </summary>
    private static async Task<(long Current, long Stale)> ProbeAsync(HttpClient client, TimeSpan duration, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var ttl = TimeSpan.FromSeconds(TtlSeconds);
        var changes = new List<(TimeSpan At, decimal Amount)>();
        long current = 0, stale = 0;
        var nextChange = TimeSpan.Zero;
        using var timer = new PeriodicTimer(ReadEvery);
        while (clock.Elapsed < duration)
        {
            try
            {
                if (clock.Elapsed >= nextChange)
                {
                    nextChange += ChangeEvery;
                    // Every change is a higher price than any before it in this process, so "older" is "lower".
                    var amount = 100m + Interlocked.Increment(ref _priceChanges);
                    using var put = await client.PutAsJsonAsync($"/api/prices/{ProbeSku}", new { amount }, ct).ConfigureAwait(false);
                    if (put.StatusCode == HttpStatusCode.NoContent) changes.Add((clock.Elapsed, amount));
                }

                var started = clock.Elapsed;
                using var response = await client.GetAsync($"/api/prices/{ProbeSku}", ct).ConfigureAwait(false);
                // The newest change old enough that a cache with this TTL must already serve it (or something newer).
                var due = changes.LastOrDefault(c => c.At <= started - ttl - Grace);
                if (response.IsSuccessStatusCode && due.Amount > 0)
                {
                    using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
                    if (json.RootElement.GetProperty("amount").GetDecimal() < due.Amount) stale++;
                    else current++;
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException
                                      || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                // A read that failed is neither stale nor current; the load's own figures count the failures.
            }

            if (!await timer.WaitForNextTickAsync(ct).ConfigureAwait(false)) break;
        }
        return (current, stale);
    }
}
