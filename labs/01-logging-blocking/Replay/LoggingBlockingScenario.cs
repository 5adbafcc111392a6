using System.Globalization;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;

namespace Lab01.Replay;

/// <summary>
/// Lab 01: the log disk takes 100 ms a write, and orders are read at 200 a second whatever the service does, as users
/// do. Broken writes every request's line to that disk before it answers, one request at a time, so it can answer at
/// most 10 requests a second (fewer when a line takes more than one write); the rest queue until the clients give up.
/// Fixed answers at the offered rate and drops the log events its bounded buffer cannot hold.
/// </summary>
public sealed class LoggingBlockingScenario : LabScenario
{
    /// <summary>Stall of every log write, the incident's slow disk: at most 1,000 / 100 = 10 writes a second.</summary>
    public const int SinkDelayMs = 100;

    /// <summary>Requests a second, twenty times what the disk can log.</summary>
    public const double RatePerSecond = 200;

    /// <summary>How long requests arrive, at scale 1.</summary>
    public static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(5);

    /// <summary>How long a client waits for an answer before it gives up.</summary>
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The headline's figure: requests answered with a 2xx, per second of the run.</summary>
    public const string SucceededPerSecond = "succeeded_per_second";

    /// <summary>Requests the clients gave up on.</summary>
    public const string TimedOut = "timed_out";

    // Clients carry a bearer token of about 1 KB, as single-sign-on tokens do: the broken logs copy it into every line.
    private static readonly string Token = "Bearer " + new string('t', 1_000);

    /// <inheritdoc />
    public override string Lab => "01-logging-blocking";

    /// <inheritdoc />
    public override string Title => "The request log that stopped the service";

    /// <inheritdoc />
    public override string Symptom => "A slow log disk stalls every request behind one lock: p99 in seconds, health checks time out.";

    /// <inheritdoc />
    public override string Conditions(double scale) => string.Create(CultureInfo.InvariantCulture,
        $"log disk {SinkDelayMs} ms a write; {RatePerSecond:N0} requests a second for {(LoadDuration * scale).TotalSeconds:0.#} s (open loop); clients give up after {ClientTimeout.TotalSeconds:N0} s");

    /// <inheritdoc />
    public override IReadOnlyList<LabMetric> LabMetrics =>
    [
        new("log_events_written_total", "log events written to the disk"),
        new("log_events_dropped_total", "log events dropped (buffer full)", Variants: ["Fixed"]),
        new("log_queue_length", "log events waiting in memory, peak", MetricSummary.Peak, Variants: ["NaiveFix", "Fixed"]),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<FigureRow> KeyRows =>
    [
        new(TimedOut, $"requests the clients gave up on ({ClientTimeout.TotalSeconds:N0} s)"),
        new("completed", "requests answered (any status)"),
        new("p99_ms", "latency p99"),
        new("thread_pool_queue_peak", "thread pool queue peak (work items)"),
        new("log_events_written_total", "log events written to the disk"),
        new("log_events_dropped_total", "log events dropped (buffer full)"),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<string> ExtraVariants => ["NaiveFix"];

    /// <inheritdoc />
    public override HeadlineSpec Headline { get; } = new(SucceededPerSecond, "requests answered per second", Better.Higher, Unit: 1,
        (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"With the log disk at {SinkDelayMs} ms a write and {RatePerSecond:N0} requests a second, Broken answered {h.Broken:N1} a second: " +
            $"every request waits for its own write, one at a time, so it cannot pass {1000 / SinkDelayMs} a second, and the clients gave up on " +
            $"{broken.Figure(TimedOut):N0} of {broken.Figure("requests"):N0} requests. Fixed answered {h.Fixed:N0} a second, {h.RatioText} more. " +
            $"Its price is in the log: of {@fixed.Figure("completed"):N0} events, {@fixed.Figure("log_events_written_total"):N0} reached the disk during the run, " +
            $"up to {@fixed.Figure("log_queue_length_peak"):N0} waited in its bounded buffer and {@fixed.Figure("log_events_dropped_total"):N0} were dropped and counted " +
            $"on /metrics. A disk that takes {1000 / SinkDelayMs} lines a second cannot keep {RatePerSecond:N0}; losing log lines beats losing requests."));

    /// <inheritdoc />
    public override ScenarioText Chinese { get; } = new(
        Title: "拖垮服务的请求日志",
        Conditions: scale => string.Create(CultureInfo.InvariantCulture,
            $"日志盘每次写入 {SinkDelayMs} ms；每秒 {RatePerSecond:N0} 个请求，持续 {(LoadDuration * scale).TotalSeconds:0.#} s（开环）；客户端等 {ClientTimeout.TotalSeconds:N0} s 后放弃"),
        HeadlineLabel: "每秒应答的请求数",
        Sentence: (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"日志盘每次写入 {SinkDelayMs} ms、每秒来 {RatePerSecond:N0} 个请求时，Broken 每秒只应答了 {h.Broken:N1} 个：" +
            $"每个请求都要等自己那一次写入，一次只写一个，所以每秒不可能超过 {1000 / SinkDelayMs} 个；" +
            $"{broken.Figure("requests"):N0} 个请求里，客户端放弃了 {broken.Figure(TimedOut):N0} 个。Fixed 每秒应答 {h.Fixed:N0} 个，是 Broken 的 {ScenarioText.ChineseRatio(h)}。" +
            $"代价记在日志上：{@fixed.Figure("completed"):N0} 条日志事件中，运行期间写到磁盘的有 {@fixed.Figure("log_events_written_total"):N0} 条，" +
            $"最多有 {@fixed.Figure("log_queue_length_peak"):N0} 条在它的有界缓冲区里等待，{@fixed.Figure("log_events_dropped_total"):N0} 条被丢弃并计入 /metrics。" +
            $"每秒只能写 {1000 / SinkDelayMs} 行的磁盘，接不住每秒 {RatePerSecond:N0} 行；丢几行日志，好过丢请求。"),
        Labels: new Dictionary<string, string>
        {
            [TimedOut] = string.Create(CultureInfo.InvariantCulture, $"客户端放弃的请求（{ClientTimeout.TotalSeconds:N0} s）"),
            ["completed"] = "已应答的请求（任意状态码）",
            ["p99_ms"] = "延迟 p99",
            ["thread_pool_queue_peak"] = "线程池队列峰值（工作项）",
            ["log_events_written_total"] = "写到磁盘的日志事件",
            ["log_events_dropped_total"] = "被丢弃的日志事件（缓冲区已满）",
            ["log_queue_length_peak"] = "内存中等待的日志事件，峰值",
            ["live:load"] = string.Create(CultureInfo.InvariantCulture,
                $"每个服务每秒 {LiveRatePerSecond:N0} 次订单读取（开环，每次带 1 KB 的 token）；客户端等 {ClientTimeout.TotalSeconds:N0} s 后放弃"),
            ["knob:LogSinkDelayMs"] = "日志盘，每次写入",
        });

    /// <inheritdoc />
    public override Task<ScenarioContext> PrepareAsync(string variant, double scale, CancellationToken ct)
    {
        var settings = new Dictionary<string, string> { ["Lab:LogSinkDelayMs"] = SinkDelayMs.ToString(CultureInfo.InvariantCulture) };
        var context = new ScenarioContext(variant, settings, scale);
        settings["Lab:LogDirectory"] = context.TempDirectory($"lab01-{variant.ToLowerInvariant()}");
        return Task.FromResult(context);
    }

    /// <inheritdoc />
    public override async Task<LoadResult> DriveAsync(LabService service, ScenarioContext context, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(context);
        var duration = context.Scaled(LoadDuration);
        // Room for every request of the run in flight at once: the cap must never be what holds a request back.
        var inFlight = (int)(RatePerSecond * (duration + ClientTimeout).TotalSeconds) + 100;
        using var client = service.CreateClient(inFlight);
        return await LoadDriver.RunOpenLoopAsync(client, i => new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{1 + i % 100}")
            {
                Headers = { { "Authorization", Token } },
            },
            RatePerSecond, duration, new LoadSettings { MaxInFlight = inFlight, RequestTimeout = ClientTimeout }, progress, ct).ConfigureAwait(false);
    }

    /// <summary>The live mode's steady load on each service: the replay's rate, so a 100 ms disk caps Broken at a twentieth of it.</summary>
    public const double LiveRatePerSecond = 200;

    /// <inheritdoc />
    public override LiveMode Live { get; } = new(
        [
            new LiveKnob("LogSinkDelayMs", "log disk, per write", KnobTarget.Service,
                [new("0 ms", "0"), new("10 ms", "10"), new("100 ms", "100"), new("1,000 ms", "1000")], Initial: "0"),
        ],
        Load: string.Create(CultureInfo.InvariantCulture,
            $"{LiveRatePerSecond:N0} order reads a second on each service (open loop, a 1 KB token each); clients give up after {ClientTimeout.TotalSeconds:N0} s"));

    /// <inheritdoc />
    public override async Task DriveLiveAsync(LabService service, ScenarioContext context, LiveKnobValues knobs, IProgress<LoadProgress> progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        // The cap bounds the sockets a stalled Broken ties up; requests over it wait, and their wait counts in their latency.
        const int inFlight = 400;
        using var client = service.CreateClient(inFlight);
        await LoadDriver.RunOpenLoopAsync(client, i => new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{1 + i % 100}")
            {
                Headers = { { "Authorization", Token } },
            },
            LiveRatePerSecond, TimeSpan.FromHours(12), new LoadSettings { MaxInFlight = inFlight, RequestTimeout = ClientTimeout }, progress, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Derive(string variant, LoadResult load, IDictionary<string, double> figures)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(figures);
        var succeeded = load.ByStatus.Where(s => s.Key.StartsWith('2')).Sum(s => s.Value);
        figures[SucceededPerSecond] = Math.Round(succeeded / Math.Max(load.Elapsed.TotalSeconds, 1e-9), 1);
        figures[TimedOut] = load.Count("timeout") + load.Count("unfinished");
    }
}
