using System.Globalization;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;

namespace Lab08.Replay;

/// <summary>
/// Lab 08: three replicas of the user lookup API behind a round-robin proxy, and one caller (a batch job) sending far
/// more than its limit. Broken keeps a bucket per replica, so the caller gets its limit three times over; Fixed keeps
/// one bucket per caller in Redis, so it gets its limit once, and pays a Redis round trip per request for it.
/// </summary>
public sealed class LimitPerReplicaScenario : LabScenario
{
    /// <summary>Replicas behind the proxy.</summary>
    public const int Replicas = 3;

    /// <summary>The caller's limit: tokens a second, and the bucket's size.</summary>
    public const int Limit = 10;

    /// <summary>What the caller sends, a second: ten times its limit.</summary>
    public const double OfferedRate = 100;

    /// <summary>How long it sends, at scale 1.</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(8);

    /// <summary>The demo key of Fixed's appsettings (public by design: it guards nothing but this lab).</summary>
    public const string BatchJobKey = "lab08-batch-job-key";

    /// <summary>The headline's figure: the caller's requests answered 200, a second.</summary>
    public const string AdmittedPerSecond = "admitted_per_second";

    /// <inheritdoc />
    public override string Lab => "08-limit-per-replica";

    /// <inheritdoc />
    public override string Title => "The rate limit that tripled when the service scaled out";

    /// <inheritdoc />
    public override string Symptom => "Three replicas, three buckets: one caller gets three times its limit, and a new X-Client-Id buys a new budget.";

    /// <inheritdoc />
    public override string Conditions(double scale) => string.Create(CultureInfo.InvariantCulture,
        $"{Replicas} replicas behind a round-robin proxy (YARP); one caller sends {OfferedRate:N0} lookups a second for {(Duration * scale).TotalSeconds:0.#} s; " +
        $"its limit {Limit} a second, bursts of {Limit}; Fixed's buckets in a real Redis on loopback");

    /// <inheritdoc />
    public override IReadOnlyList<LabMetric> LabMetrics =>
    [
        new("users_lookups_total", "lookups done by one replica of three"),
        new("users_rejected_total", "requests one replica of three refused (429)"),
        new("users_limiter_store_up", "one replica reaching Redis (1: yes)", Variants: ["Fixed"]),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<FigureRow> KeyRows =>
    [
        new("admitted", "the caller's requests admitted (200)"),
        new("refused", "refused with 429 and Retry-After"),
        new("server_errors", "answered 5xx"),
        new("allowed", "what its limit allows over the run"),
        new("p50_ms", "latency p50 through the proxy"),
    ];

    /// <inheritdoc />
    public override HeadlineSpec Headline { get; } = new(AdmittedPerSecond, "one caller's requests admitted per second (its limit: 10)", Better.Lower, Unit: 1,
        (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"One caller sending {OfferedRate:N0} lookups a second to {Replicas} replicas, with a limit of {Limit} a second, had {h.Broken:N1} a second admitted by Broken: " +
            $"each replica keeps its own bucket and the proxy spreads the caller over all three, so it got its limit {h.Broken / Limit:N1} times over " +
            $"({broken.Figure("admitted"):N0} admitted where {broken.Figure("allowed"):N0} were allowed). Fixed admitted {h.Fixed:N1} a second ({@fixed.Figure("admitted"):N0}), " +
            $"{h.RatioText} fewer: one bucket per caller, in Redis, whatever the number of replicas. Its cost: a Redis round trip before every request; " +
            $"the median request took {@fixed.Figure("p50_ms"):N2} ms through the proxy on Fixed against {broken.Figure("p50_ms"):N2} ms on Broken."));

    /// <inheritdoc />
    public override ScenarioText Chinese { get; } = new(
        Title: "服务横向扩容后，限流额度翻了三倍",
        Conditions: scale => string.Create(CultureInfo.InvariantCulture,
            $"{Replicas} 个副本位于轮询代理（YARP）之后；一个调用方每秒发送 {OfferedRate:N0} 次查询，持续 {(Duration * scale).TotalSeconds:0.#} s；" +
            $"它的限额为每秒 {Limit} 次，突发额度 {Limit}；Fixed 的令牌桶放在回环地址上一个真实的 Redis 中"),
        HeadlineLabel: "一个调用方每秒被放行的请求数（限额：10）",
        Sentence: (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"一个调用方以每秒 {OfferedRate:N0} 次的速率向 {Replicas} 个副本发送查询，限额为每秒 {Limit} 次，Broken 每秒放行了 {h.Broken:N1} 次：" +
            $"每个副本各有自己的令牌桶，代理又把这个调用方的请求分散到所有副本上，所以它拿到了 {h.Broken / Limit:N1} 倍的限额" +
            $"（限额允许 {broken.Figure("allowed"):N0} 次，实际放行 {broken.Figure("admitted"):N0} 次）。Fixed 每秒放行 {h.Fixed:N1} 次（共 {@fixed.Figure("admitted"):N0} 次），" +
            $"少了 {ScenarioText.ChineseRatio(h)}：每个调用方只有一个令牌桶，放在 Redis 中，与副本数无关。代价是每个请求之前多一次 Redis 往返：" +
            $"经过代理的请求耗时中位数，Fixed 为 {@fixed.Figure("p50_ms"):N2} ms，Broken 为 {broken.Figure("p50_ms"):N2} ms。"),
        Labels: new Dictionary<string, string>
        {
            ["admitted"] = "该调用方被放行的请求（200）",
            ["refused"] = "被拒绝，返回 429 和 Retry-After",
            ["server_errors"] = "返回 5xx",
            ["allowed"] = "整个运行期间限额允许的请求数",
            ["p50_ms"] = "经过代理的延迟 p50",
            ["users_lookups_total"] = "三个副本之一完成的查询",
            ["users_rejected_total"] = "三个副本之一拒绝的请求（429）",
            ["users_limiter_store_up"] = "一个副本能否连上 Redis（1：能）",
        });

    /// <inheritdoc />
    public override async Task<ScenarioContext> PrepareAsync(string variant, double scale, CancellationToken ct)
    {
        var settings = new Dictionary<string, string>
        {
            ["Lab:TokensPerSecond"] = Limit.ToString(CultureInfo.InvariantCulture),
            ["Lab:Burst"] = Limit.ToString(CultureInfo.InvariantCulture),
            ["Lab:WorkFactor"] = "200",
            ["Lab:Replicas"] = Replicas.ToString(CultureInfo.InvariantCulture),
        };
        var context = new ScenarioContext(variant, settings, scale);
        try
        {
            var cluster = context.Own(new Cluster(await RedisServer.StartAsync(ct).ConfigureAwait(false)));
            settings["Lab:Redis"] = cluster.Redis.Endpoint;
            // The replay starts the last replica itself, and measures it; the others are this run's.
            for (var i = 1; i < Replicas; i++)
            {
                cluster.Replicas.Add(await LabService.StartAsync(Folder, variant, settings, ct).ConfigureAwait(false));
            }
            return context;
        }
        catch
        {
            await context.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public override async Task<LoadResult> DriveAsync(LabService service, ScenarioContext context, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(context);
        var cluster = context.Owned<Cluster>();
        var replicas = string.Join(',', cluster.Replicas.Append(service).Select(r => r.BaseAddress.ToString().TrimEnd('/')));
        cluster.Proxy = await LabService.StartProjectAsync(Path.Combine(Folder.Directory, "Proxy", "Lab08.Proxy.csproj"), Lab, "Proxy",
            new Dictionary<string, string> { ["Proxy:Replicas"] = replicas }, ct).ConfigureAwait(false);
        var duration = context.Scaled(Duration);
        using var client = cluster.Proxy.CreateClient(256);
        var load = await LoadDriver.RunOpenLoopAsync(client, i => new HttpRequestMessage(HttpMethod.Get, $"/api/users/{1 + i % 9}")
            {
                Headers = { { "X-Api-Key", BatchJobKey }, { "X-Client-Id", "batch-job" } },
            },
            OfferedRate, duration, new LoadSettings { MaxInFlight = 256, RequestTimeout = TimeSpan.FromSeconds(10) }, progress, ct).ConfigureAwait(false);
        context.Figures["allowed"] = Limit + Math.Ceiling(duration.TotalSeconds * Limit);
        return load;
    }

    /// <inheritdoc />
    public override void Derive(string variant, LoadResult load, IDictionary<string, double> figures)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(figures);
        figures["admitted"] = load.Count("200");
        figures["refused"] = load.Count("429");
        figures["server_errors"] = load.ByStatus.Where(s => s.Key.StartsWith('5')).Sum(s => s.Value);
        figures[AdmittedPerSecond] = Math.Round(load.Count("200") / Math.Max(load.Elapsed.TotalSeconds, 1e-9), 1);
    }

    /// <summary>What a run starts besides the replica the replay measures: Redis, the other replicas, the proxy. Stopped with the run.</summary>
    private sealed class Cluster(RedisServer redis) : IAsyncDisposable
    {
        public RedisServer Redis { get; } = redis;

        public List<LabService> Replicas { get; } = [];

        public LabService? Proxy { get; set; }

        public async ValueTask DisposeAsync()
        {
            if (Proxy is not null) await Proxy.DisposeAsync().ConfigureAwait(false);
            foreach (var replica in Replicas) await replica.DisposeAsync().ConfigureAwait(false);
            await Redis.DisposeAsync().ConfigureAwait(false);
        }
    }
}
