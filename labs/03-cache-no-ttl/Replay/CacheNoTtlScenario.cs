using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;

namespace Lab03.Replay;

/// <summary>
/// Lab 03: a mail campaign's links hit the pricing API, 30,000 of them, each with its own tracking id, while the pricing
/// team changes a price every second. Broken keeps one entry per distinct URL for ever and never sees the new prices;
/// Fixed holds at most its limit, shares one entry between links to the same price, and serves a change once its TTL
/// is up. The load is a number of links, not a duration, so the entries it leaves follow from the cache's design
/// alone: one per link for Broken, at most the size limit for Fixed.
/// </summary>
public sealed class CacheNoTtlScenario : LabScenario
{
    /// <summary>The price store's latency in the replay: short, so that tens of thousands of requests fit in a few seconds.</summary>
    public const int SourceLatencyMs = 2;

    /// <summary>How long Fixed may serve a cached price in the replay.</summary>
    public const int TtlSeconds = 2;

    /// <summary>How many prices Fixed's cache holds at most (the service's default).</summary>
    public const int SizeLimit = 2_000;

    /// <summary>Distinct campaign links clicked, at scale 1.</summary>
    public const int Links = 30_000;

    /// <summary>Connections the clicks arrive on, each sending its next click when the last one is answered.</summary>
    public const int Connections = 32;

    /// <summary>How long the stale-read probe changes and reads its price, whatever the load's length.</summary>
    public static readonly TimeSpan ProbeDuration = TimeSpan.FromSeconds(6);

    /// <summary>The headline's figure: cache entries held per 1,000 distinct links.</summary>
    public const string EntriesPerThousandLinks = "entries_per_1000_links";

    /// <summary>The products most links point to (the campaign's own); the rest spread over the catalogue.</summary>
    public const int HotProducts = 500;

    /// <summary>The product whose price the probe changes every second and reads back.</summary>
    public const string ProbeSku = "SKU-199999";

    /// <summary>Figure: probe reads that served a price older than the TTL allows.</summary>
    public const string StaleReads = "stale_reads";

    /// <summary>Figure: probe reads, judged like the stale ones, that served the current price.</summary>
    public const string CurrentReads = "current_reads";

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
    public override long? RequestCount => Links;

    public override string Conditions(double scale) => string.Create(CultureInfo.InvariantCulture,
        $"{Links * scale:N0} distinct links on {Connections} connections; store {SourceLatencyMs} ms a read; TTL {TtlSeconds} s, limit {SizeLimit:N0}; a price changes every second");

    /// <inheritdoc />
    public override bool MeasuresRetainedHeap => true;

    /// <inheritdoc />
    public override IReadOnlyList<LabMetric> LabMetrics =>
    [
        new("price_cache_entries", "cache entries, peak", MetricSummary.Peak),
        new("price_source_calls_total", "reads sent to the price store"),
        new("price_cache_hits_total", "cache hits", Variants: ["Fixed"]),
        new("price_cache_misses_total", "cache misses", Variants: ["Fixed"]),
        new("price_cache_evictions_total", "cache evictions", Variants: ["Fixed"]),
        new("price_cache_capacity", "cache capacity (its limit)", MetricSummary.Peak, Variants: ["Fixed"]),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<FigureRow> KeyRows =>
    [
        new("price_cache_entries_peak", "cache entries, peak"),
        new(StaleReads, $"stale reads (old price > {TtlSeconds} s after a change)"),
        new(CurrentReads, "current reads, judged the same way"),
        new("heap_retained_bytes", "heap retained by the load (after full GCs)"),
        new("price_source_calls_total", "reads sent to the price store"),
        new("price_cache_evictions_total", "cache evictions"),
    ];

    /// <inheritdoc />
    public override HeadlineSpec Headline { get; } = new(EntriesPerThousandLinks, "cache entries per 1,000 distinct links", Better.Lower, Unit: 1,
        (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"After {broken.Figure("requests"):N0} campaign links, each a distinct URL, Broken held {h.Broken:N0} cache entries per 1,000 links, one per link, " +
            $"and Fixed {h.Fixed:N1} (its limit is {SizeLimit:N0}): {h.RatioText} fewer, because links to the same price share one entry and the cache evicts when full. " +
            $"Stale reads more than the TTL after a price change: {broken.Figure(StaleReads):N0} on Broken, {@fixed.Figure(StaleReads):N0} on Fixed. " +
            $"The price of the fix: {@fixed.Figure("price_source_calls_total"):N0} reads sent to the store (Broken {broken.Figure("price_source_calls_total"):N0}), " +
            $"as evicted and expired prices are read again."));

    /// <inheritdoc />
    public override ScenarioText Chinese { get; } = new(
        Title: "永不遗忘的缓存",
        Conditions: scale => string.Create(CultureInfo.InvariantCulture,
            $"{Links * scale:N0} 个互不相同的链接，经 {Connections} 个连接发送；存储每次读取 {SourceLatencyMs} ms；TTL {TtlSeconds} s，上限 {SizeLimit:N0}；每秒改一次价"),
        HeadlineLabel: "每 1,000 个不同链接产生的缓存条目",
        Sentence: (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"点击 {broken.Figure("requests"):N0} 个营销链接（每个 URL 都不相同）之后，Broken 每 1,000 个链接持有 {h.Broken:N0} 个缓存条目，每个链接一个；" +
            $"Fixed 只有 {h.Fixed:N1} 个（它的上限是 {SizeLimit:N0}），两者相差 {ScenarioText.ChineseRatio(h)}：指向同一价格的链接共用一个条目，缓存满了就淘汰。" +
            $"改价超过 TTL 之后仍读到旧价的次数：Broken {broken.Figure(StaleReads):N0} 次，Fixed {@fixed.Figure(StaleReads):N0} 次。" +
            $"修复的代价：发往存储的读取有 {@fixed.Figure("price_source_calls_total"):N0} 次（Broken 为 {broken.Figure("price_source_calls_total"):N0} 次），因为被淘汰和已过期的价格要重新读取。"),
        Labels: new Dictionary<string, string>
        {
            ["price_cache_entries_peak"] = "缓存条目，峰值",
            [StaleReads] = string.Create(CultureInfo.InvariantCulture, $"旧价读取（改价超过 {TtlSeconds} s 后仍是旧价）"),
            [CurrentReads] = "新价读取（按同样方式判定）",
            ["heap_retained_bytes"] = "负载留下的存活堆（完整垃圾回收之后）",
            ["price_source_calls_total"] = "发往价格存储的读取",
            ["price_cache_evictions_total"] = "缓存淘汰",
            ["price_cache_hits_total"] = "缓存命中",
            ["price_cache_misses_total"] = "缓存未命中",
            ["price_cache_capacity_peak"] = "缓存容量（即其上限）",
            ["live:load"] = string.Create(CultureInfo.InvariantCulture,
                $"每个服务每秒 {LiveRatePerSecond:N0} 次价格读取（开环），覆盖 {HotProducts} 个热门商品；配置项决定其中多大比例作为营销链接发送，每个链接带各自的 utm_id"),
            ["knob:DistinctLinks"] = "带各自跟踪 id 的链接",
            ["knob:DistinctLinks=0"] = "无",
            ["knob:DistinctLinks=1"] = "全部",
        });

    /// <inheritdoc />
    public override Task<ScenarioContext> PrepareAsync(string variant, double scale, CancellationToken ct) =>
        Task.FromResult(new ScenarioContext(variant, new Dictionary<string, string>
        {
            ["Lab:SourceLatencyMs"] = SourceLatencyMs.ToString(CultureInfo.InvariantCulture),
            ["Lab:CacheTtlSeconds"] = TtlSeconds.ToString(CultureInfo.InvariantCulture),
            ["Lab:CacheSizeLimit"] = SizeLimit.ToString(CultureInfo.InvariantCulture),
        }, scale));

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
    public override async Task<LoadResult> DriveAsync(LabService service, ScenarioContext context, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(context);
        // Connections are capped, so that both services hold the same few: a slower one would otherwise open more, and
        // their buffers would count in its heap as if the cache held them.
        using var client = service.CreateClient(Connections + 1);
        var send = Interlocked.Increment(ref _sends);
        var probe = ProbeAsync(client, ProbeDuration, ct);
        var load = await LoadDriver.RunRequestsAsync(client, i => new HttpRequestMessage(HttpMethod.Get, CampaignLink(send, i)),
            Connections, context.Scaled(Links), new LoadSettings { RequestTimeout = TimeSpan.FromSeconds(10) }, progress, ct).ConfigureAwait(false);
        var (current, stale) = await probe.ConfigureAwait(false);
        context.Figures[CurrentReads] = current;
        context.Figures[StaleReads] = stale;
        return load;
    }

    /// <summary>The live mode's price reads a second on each service.</summary>
    public const double LiveRatePerSecond = 300;

    /// <inheritdoc />
    public override LiveMode Live { get; } = new(
        [
            new LiveKnob("DistinctLinks", "links with a tracking id of their own", KnobTarget.Load,
                [new("none", "0"), new("10 %", "0.1"), new("50 %", "0.5"), new("all", "1")], Initial: "0"),
        ],
        Load: string.Create(CultureInfo.InvariantCulture,
            $"{LiveRatePerSecond:N0} price reads a second on each service (open loop), over {HotProducts} popular products; the knob sends a share of them as campaign links, each with its own utm_id"));

    /// <inheritdoc />
    public override async Task DriveLiveAsync(LabService service, ScenarioContext context, LiveKnobValues knobs, IProgress<LoadProgress> progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(knobs);
        var send = Interlocked.Increment(ref _sends);
        using var client = service.CreateClient(256);
        await LoadDriver.RunOpenLoopAsync(client, i =>
            {
                // Spread evenly: request i is a campaign link when the share's running total passes a whole number.
                var share = knobs.Number("DistinctLinks");
                var distinct = Math.Floor((i + 1) * share) > Math.Floor(i * share);
                return new HttpRequestMessage(HttpMethod.Get, distinct
                    ? CampaignLink(send, i)
                    : string.Create(CultureInfo.InvariantCulture, $"/api/prices/sku-{1 + i % HotProducts:D6}?currency=EUR"));
            },
            LiveRatePerSecond, TimeSpan.FromHours(12), new LoadSettings { MaxInFlight = 256, RequestTimeout = TimeSpan.FromSeconds(10) }, progress, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Derive(string variant, LoadResult load, IDictionary<string, double> figures)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(figures);
        if (figures.TryGetValue("price_cache_entries_peak", out var entries) && load.Requests > 0)
            figures[EntriesPerThousandLinks] = Math.Round(entries * 1000 / load.Requests, 1);
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
