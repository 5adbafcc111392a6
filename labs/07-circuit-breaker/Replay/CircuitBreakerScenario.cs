using System.Globalization;
using System.Net.Http.Json;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Prometheus;
using Workshop.Toolkit.Replay;

namespace Lab07.Replay;

/// <summary>
/// Lab 07: the payment provider hangs (an outage) while customers check out, 4 a second, and shop visitors browse the
/// catalog, 20 requests a second, for 6 s. Broken holds a database connection across the payment call and tries each
/// charge three times with its whole 1 s timeout, so the 10 connections of the pool are all waiting on the provider
/// and the catalog waits for them. Fixed gives its connection back before calling, gives each try 200 ms, and once
/// the provider is judged down stops calling it and answers checkout 503 with Retry-After at once.
/// </summary>
public sealed class CircuitBreakerScenario : LabScenario
{
    /// <summary>How long the outage is replayed, at scale 1.</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(6);

    /// <summary>Checkouts a second.</summary>
    public const double CheckoutRate = 4;

    /// <summary>Catalog requests a second.</summary>
    public const double CatalogRate = 20;

    /// <summary>The payment timeout, and each try's.</summary>
    public const int PaymentTimeoutMs = 1_000, AttemptTimeoutMs = 200;

    /// <summary>Database connections.</summary>
    public const int Pool = 10;

    public const string CheckoutP99 = "checkout_p99_ms";
    public const string CheckoutP99Down = "checkout_p99_once_down_ms";

    /// <summary>How long the provider has been down before a checkout counts as "once down": time enough for Fixed to judge it so.</summary>
    public static readonly TimeSpan Judged = TimeSpan.FromSeconds(2);
    public const string Checkouts = "checkouts";
    public const string ProviderCalls = "provider_calls";
    public const string CallsPerCheckout = "provider_calls_per_checkout";
    public const string Degraded = "checkout_503";
    public const string HealthP99 = "healthz_p99_ms";
    public const string BreakerOpen = "breaker_open_at_end";

    /// <inheritdoc />
    public override string Lab => "07-circuit-breaker";

    /// <inheritdoc />
    public override string Title => "The payment provider that took the shop down";

    /// <inheritdoc />
    public override string Symptom => "The payment provider hangs; every checkout waits it out, three times, and the catalog and the health check wait with them.";

    /// <inheritdoc />
    public override string Conditions(double scale) => string.Create(CultureInfo.InvariantCulture,
        $"the payment provider hangs; customers check out {CheckoutRate:0} times a second and the catalog gets {CatalogRate:0} requests a second for {(Duration * scale).TotalSeconds:0.#} s; " +
        $"payment timeout {PaymentTimeoutMs:N0} ms (each try {AttemptTimeoutMs} ms on Fixed); {Pool} database connections");

    /// <inheritdoc />
    public override IReadOnlyList<LabMetric> LabMetrics =>
    [
        new("shop_payment_calls_total", "calls sent to the payment provider"),
        new("shop_db_pool_waiting", "callers waiting for a database connection", MetricSummary.Peak),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<FigureRow> KeyRows =>
    [
        new(CheckoutP99, "checkout latency p99, the whole outage"),
        new(CheckoutP99Down, $"checkout latency p99, checkouts sent once the provider had been down {Judged.TotalSeconds:0} s"),
        new(HealthP99, "/healthz latency p99 (probed twice a second)"),
        new(Checkouts, "checkouts answered"),
        new(Degraded, "of those, 503 with Retry-After at once (the degraded answer)"),
        new(ProviderCalls, "calls that reached the provider"),
        new(CallsPerCheckout, "calls to the provider per checkout"),
        new(BreakerOpen, "the breaker open at the end (1: yes) on /metrics"),
    ];

    /// <inheritdoc />
    public override HeadlineSpec Headline { get; } = new("p99_ms", "the catalog's p99 while the payment provider is down", Better.Lower, Unit: 1,
        (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"While the payment provider hung, the catalog, which never calls it, waited up to {h.Broken:N0} ms on Broken (p99): every database connection was held " +
            $"by a checkout waiting out three {PaymentTimeoutMs:N0} ms tries ({broken.Figure(ProviderCalls):N0} calls reached the sick provider, checkout p99 {broken.Figure(CheckoutP99):N0} ms). " +
            $"On Fixed, {h.Fixed:N0} ms, {h.RatioText} better: checkouts hold no connection while they call, each try gets {AttemptTimeoutMs} ms, and once the provider was judged down " +
            $"the breaker answered for it: {@fixed.Figure(Degraded):N0} checkouts got a 503 with Retry-After, and the provider {@fixed.Figure(ProviderCalls):N0} calls in all; " +
            $"checkouts sent once it had been down {Judged.TotalSeconds:0} s took {@fixed.Figure(CheckoutP99Down):N0} ms (p99) against {broken.Figure(CheckoutP99Down):N0} ms on Broken, the first ones up to {@fixed.Figure(CheckoutP99):N0} ms while it was being judged. " +
            $"Its cost: for the break, customers who might have been charged are turned away, and the order must be paid again."));

    /// <inheritdoc />
    public override ScenarioText Chinese { get; } = new(
        Title: "拖垮整个商店的支付服务商",
        Conditions: scale => string.Create(CultureInfo.InvariantCulture,
            $"支付服务商挂起；顾客每秒结账 {CheckoutRate:0} 次，商品目录每秒收到 {CatalogRate:0} 个请求，持续 {(Duration * scale).TotalSeconds:0.#} s；" +
            $"支付超时 {PaymentTimeoutMs:N0} ms（Fixed 上每次尝试 {AttemptTimeoutMs} ms）；{Pool} 个数据库连接"),
        HeadlineLabel: "支付服务商宕机期间商品目录的 p99",
        Sentence: (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"支付服务商挂起期间，从不调用它的商品目录在 Broken 上最多等了 {h.Broken:N0} ms（p99）：每个数据库连接都被一次结账占着，" +
            $"而那次结账要熬完三次 {PaymentTimeoutMs:N0} ms 的尝试（{broken.Figure(ProviderCalls):N0} 次调用打到了出故障的支付服务商，结账 p99 为 {broken.Figure(CheckoutP99):N0} ms）。" +
            $"Fixed 上是 {h.Fixed:N0} ms，快了 {ScenarioText.ChineseRatio(h)}：结账调用支付服务商时不占连接，每次尝试只给 {AttemptTimeoutMs} ms，支付服务商一被判定宕机，" +
            $"就由断路器替它回答：{@fixed.Figure(Degraded):N0} 次结账拿到带 Retry-After 的 503，支付服务商总共只收到 {@fixed.Figure(ProviderCalls):N0} 次调用；" +
            $"它宕机 {Judged.TotalSeconds:0} s 之后发出的结账耗时 {@fixed.Figure(CheckoutP99Down):N0} ms（p99），Broken 上则是 {broken.Figure(CheckoutP99Down):N0} ms；" +
            $"最早的那些结账在判定期间最多等了 {@fixed.Figure(CheckoutP99):N0} ms。" +
            $"它的代价：断开期内，本来可能扣款成功的顾客会被拒之门外，订单得再付一次。"),
        Labels: new Dictionary<string, string>
        {
            [CheckoutP99] = "结账延迟 p99，整场故障",
            [CheckoutP99Down] = string.Create(CultureInfo.InvariantCulture, $"结账延迟 p99，支付服务商宕机 {Judged.TotalSeconds:0} s 之后发出的结账"),
            [HealthP99] = "/healthz 延迟 p99（每秒探测两次）",
            [Checkouts] = "得到回答的结账",
            [Degraded] = "其中立即得到带 Retry-After 的 503（降级回答）",
            [ProviderCalls] = "到达支付服务商的调用",
            [CallsPerCheckout] = "每次结账对支付服务商的调用",
            [BreakerOpen] = "结束时 /metrics 上断路器处于打开状态（1：是）",
            ["shop_payment_calls_total"] = "发给支付服务商的调用",
            ["shop_db_pool_waiting_peak"] = "等待数据库连接的调用方，峰值",
            ["live:load"] = string.Create(CultureInfo.InvariantCulture,
                $"每个服务每秒 {CatalogRate:0} 次商品目录读取和 {CheckoutRate:0} 次结账（开环）；图表跟踪的是从不调用支付服务商的商品目录"),
            ["knob:Provider"] = "支付服务商",
            ["knob:Provider=ok"] = "正常",
            ["knob:Provider=slow"] = "慢（800 ms）",
            ["knob:Provider=fail"] = "失败（503）",
            ["knob:Provider=hang"] = "挂起",
        });

    /// <inheritdoc />
    public override async Task<ScenarioContext> PrepareAsync(string variant, double scale, CancellationToken ct)
    {
        var settings = new Dictionary<string, string>
        {
            ["Lab:PaymentTimeoutMs"] = PaymentTimeoutMs.ToString(CultureInfo.InvariantCulture),
            ["Lab:AttemptTimeoutMs"] = AttemptTimeoutMs.ToString(CultureInfo.InvariantCulture),
            ["Lab:DbPoolSize"] = Pool.ToString(CultureInfo.InvariantCulture),
        };
        var context = new ScenarioContext(variant, settings, scale);
        var provider = context.Own(await Downstream.StartAsync(DownstreamBehaviour.Hang, ct).ConfigureAwait(false));
        settings["Lab:PaymentUrl"] = provider.BaseAddress.ToString().TrimEnd('/');
        return context;
    }

    /// <inheritdoc />
    public override async Task WarmUpAsync(LabService service, ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        using var client = service.CreateClient();
        for (var i = 0; i < 5; i++) await client.GetStringAsync(new Uri("/api/catalog", UriKind.Relative), ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<LoadResult> DriveAsync(LabService service, ScenarioContext context, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(context);
        var provider = context.Owned<Downstream>();
        var before = await provider.RequestsAsync(ct).ConfigureAwait(false);
        var duration = context.Scaled(Duration);
        // Every client waits far longer than any of the shop's own timeouts: what is measured is the shop's answer.
        var patient = new LoadSettings { RequestTimeout = TimeSpan.FromSeconds(60) };
        using var checkoutClient = service.CreateClient(256);
        using var catalogClient = service.CreateClient(256);
        using var healthClient = service.CreateClient(16);
        var checkouts = LoadDriver.RunOpenLoopAsync(checkoutClient, i => new HttpRequestMessage(HttpMethod.Post, "/api/checkout")
        {
            Content = JsonContent.Create(new { items = new[] { new { sku = $"SKU-100{1 + i % 6}", quantity = 1 + (int)(i % 3) } }, cardToken = $"tok_card{1000 + i % 9000}" }),
        }, CheckoutRate, duration, patient, progress: null, ct);
        var health = LoadDriver.RunOpenLoopAsync(healthClient, _ => new HttpRequestMessage(HttpMethod.Get, "/healthz"), 2, duration, patient, progress: null, ct);
        var catalog = await LoadDriver.RunOpenLoopAsync(catalogClient, i => new HttpRequestMessage(HttpMethod.Get, i % 2 == 0 ? "/api/catalog" : $"/api/catalog/SKU-100{1 + i % 6}"),
            CatalogRate, duration, patient, progress, ct).ConfigureAwait(false);
        var checkout = await checkouts.ConfigureAwait(false);
        var probes = await health.ConfigureAwait(false);

        using var metrics = new MetricsReader(service.BaseAddress);
        var snapshot = await metrics.ScrapeAsync(ct).ConfigureAwait(false);
        var calls = await provider.RequestsAsync(ct).ConfigureAwait(false) - before;
        context.Figures[CheckoutP99] = Math.Round(checkout.P99, 1);
        // The first checkouts of an outage wait on both variants: nothing can know yet that the provider is down. What
        // the breaker changes is every checkout after that.
        context.Figures[CheckoutP99Down] = Math.Round(P99(checkout.Samples.Where(s => s.SentSeconds >= Judged.TotalSeconds).Select(s => s.LatencyMs)), 1);
        context.Figures[HealthP99] = Math.Round(probes.P99, 1);
        context.Figures[Checkouts] = checkout.Completed;
        context.Figures[Degraded] = checkout.Count("503");
        context.Figures[ProviderCalls] = calls;
        context.Figures[CallsPerCheckout] = Math.Round(calls / (double)Math.Max(1, checkout.Completed), 2);
        context.Figures[BreakerOpen] = snapshot.Value("shop_payment_breaker_state", ("state", "open")) ?? 0;
        return catalog;
    }

    /// <inheritdoc />
    public override LiveMode Live { get; } = new(
        [
            new LiveKnob("Provider", "payment provider", KnobTarget.Environment,
                [new("ok", "ok"), new("slow (800 ms)", "slow"), new("failing (503)", "fail"), new("hanging", "hang")], Initial: "ok"),
        ],
        Load: string.Create(CultureInfo.InvariantCulture,
            $"{CatalogRate:0} catalog reads and {CheckoutRate:0} checkouts a second on each service (open loop); the charts follow the catalog, which never calls the provider"));

    /// <inheritdoc />
    public override Task ApplyLiveKnobAsync(LiveKnob knob, string value, ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var behaviour = value switch
        {
            "ok" => DownstreamBehaviour.Ok,
            "slow" => DownstreamBehaviour.Slow(TimeSpan.FromMilliseconds(800)),
            "fail" => DownstreamBehaviour.Fail(503),
            "hang" => DownstreamBehaviour.Hang,
            _ => throw new ArgumentException($"The payment provider can be ok, slow, fail or hang, not '{value}'.", nameof(value)),
        };
        return context.Owned<Downstream>().SetAsync(behaviour, ct);
    }

    /// <inheritdoc />
    public override async Task DriveLiveAsync(LabService service, ScenarioContext context, LiveKnobValues knobs, IProgress<LoadProgress> progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        var patient = new LoadSettings { RequestTimeout = TimeSpan.FromSeconds(60), MaxInFlight = 256 };
        var forever = TimeSpan.FromHours(12);
        using var checkoutClient = service.CreateClient(256);
        using var catalogClient = service.CreateClient(256);
        var checkouts = LoadDriver.RunOpenLoopAsync(checkoutClient, i => new HttpRequestMessage(HttpMethod.Post, "/api/checkout")
        {
            Content = JsonContent.Create(new { items = new[] { new { sku = $"SKU-100{1 + i % 6}", quantity = 1 } }, cardToken = $"tok_card{1000 + i % 9000}" }),
        }, CheckoutRate, forever, patient, progress: null, ct);
        var catalog = LoadDriver.RunOpenLoopAsync(catalogClient, i => new HttpRequestMessage(HttpMethod.Get, i % 2 == 0 ? "/api/catalog" : $"/api/catalog/SKU-100{1 + i % 6}"),
            CatalogRate, forever, patient, progress, ct);
        await Task.WhenAll(checkouts, catalog).ConfigureAwait(false);
    }

    private static double P99(IEnumerable<double> latencies)
    {
        var sorted = latencies.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(0.99 * sorted.Count) - 1)];
    }
}
