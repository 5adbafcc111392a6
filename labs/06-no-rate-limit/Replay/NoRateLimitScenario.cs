using System.Globalization;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;

namespace Lab06.Replay;

/// <summary>
/// Lab 06: four well-behaved callers look up 10 users a second between them for 10 s while a batch job, another caller, fetches 1,000
/// deleted users with 32 workers and retries every 5xx at once. Broken answers the job 500 (a null dereference),
/// after doing the lookup's CPU work, so the job retries in a loop and takes the CPU; the victim waits behind it.
/// Fixed answers 404 (final) and, past the job's burst, 429 with Retry-After before any work.
/// </summary>
public sealed class NoRateLimitScenario : LabScenario
{
    /// <summary>The victim's requests a second.</summary>
    public const double VictimRate = 10;

    /// <summary>How long the victim looks users up, at scale 1.</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    /// <summary>The storm's workers.</summary>
    public const int StormWorkers = 64;

    /// <summary>The CPU work of a lookup (PBKDF2 iterations, several ms).</summary>
    public const int WorkFactor = 8_000;

    /// <inheritdoc />
    public override string Lab => "06-no-rate-limit";

    /// <inheritdoc />
    public override string Title => "One client's retry storm takes everyone down";

    /// <inheritdoc />
    public override string Symptom => "A missing user is a 500, a batch job retries every 500 at once, nothing limits it: the CPU goes, everyone waits.";

    /// <inheritdoc />
    public override string Conditions(double scale) => string.Create(CultureInfo.InvariantCulture,
        $"four shop front-ends look up {VictimRate:0} users a second between them for {(Duration * scale).TotalSeconds:0.#} s while a batch job of 1,000 deleted users retries every 5xx at once with {StormWorkers} workers; " +
        $"a lookup costs {WorkFactor:N0} PBKDF2 iterations; limits 10 a second, bursts of 50");

    /// <inheritdoc />
    public override IReadOnlyList<LabMetric> LabMetrics =>
    [
        new("users_lookups_total", "lookups done (the CPU work)"),
        new("users_rejected_total", "requests rejected before any work", Variants: ["Fixed"]),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<FigureRow> KeyRows =>
    [
        new("p99_ms", "the well-behaved callers' latency p99"),
        new("p50_ms", "the well-behaved callers' latency p50"),
        new("storm_sent", "requests the batch job sent"),
        new("storm_5xx", "of those, answered 5xx (and retried at once)"),
        new("storm_429", "of those, answered 429 (the job waited)"),
        new("storm_per_second", "the batch job's requests a second"),
    ];

    /// <inheritdoc />
    /// <remarks>
    /// The work the job was let in for, not the front-ends' latency: the fix's mechanism sets Fixed's figure (a burst of 50,
    /// then 10 a second), while Broken does as many lookups as the CPU allows. The latency moves with whatever else the
    /// machine runs (16x beside two CPU hogs, 11x beside heavier work); this stays well above 10x while the storm has a core.
    /// </remarks>
    public override HeadlineSpec Headline { get; } = new("storm_admitted", "the batch job's requests that cost a lookup's CPU", Better.Lower, Unit: 1,
        (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"A batch job that retried every 500 at once made Broken do {h.Broken:N0} lookups for it ({broken.Figure("storm_per_second"):N0} requests a second, each several ms of CPU), " +
            $"and shop front-ends asking for {VictimRate:0} users a second between them waited up to {broken.Figure("p99_ms"):N0} ms (p99). Fixed did {h.Fixed:N0}, " +
            $"{h.RatioText} fewer, what its limit lets one caller have (a burst of 50, then 10 a second): the deleted users are 404, which the job does not retry, " +
            $"and past its burst it got {@fixed.Figure("storm_429"):N0} answers 429 with Retry-After, before any work; the front-ends waited up to {@fixed.Figure("p99_ms"):N0} ms. " +
            $"Its cost: the job is held to 10 requests a second, and every admitted request pays the limiter's lookup (the benchmark measures it)."));

    /// <inheritdoc />
    public override ScenarioText Chinese { get; } = new(
        Title: "一个客户端的重试风暴拖垮了所有人",
        Conditions: scale => string.Create(CultureInfo.InvariantCulture,
            $"四个商城前端合计每秒查询 {VictimRate:0} 个用户，持续 {(Duration * scale).TotalSeconds:0.#} s；同时一个批处理任务用 {StormWorkers} 个 worker 拉取 1,000 个已删除的用户，遇到 5xx 立即重试；" +
            $"一次查询耗费 {WorkFactor:N0} 次 PBKDF2 迭代；限额每秒 10 个，突发 50 个"),
        HeadlineLabel: "批处理任务中耗费了一次查询 CPU 的请求",
        Sentence: (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"一个对每个 500 都立即重试的批处理任务，让 Broken 为它做了 {h.Broken:N0} 次查询（每秒 {broken.Figure("storm_per_second"):N0} 个请求，每个耗费数毫秒 CPU），" +
            $"合计每秒查询 {VictimRate:0} 个用户的商城前端最多等了 {broken.Figure("p99_ms"):N0} ms（p99）。Fixed 只做了 {h.Fixed:N0} 次，" +
            $"两者相差 {ScenarioText.ChineseRatio(h)}，正是限流器留给一个调用方的份额（突发 50 个，之后每秒 10 个）：已删除的用户返回 404，任务不会重试它；" +
            $"突发额度用完后，任务在做任何工作之前就收到了 {@fixed.Figure("storm_429"):N0} 个带 Retry-After 的 429；商城前端最多等了 {@fixed.Figure("p99_ms"):N0} ms。" +
            $"它的代价：任务被限制在每秒 10 个请求，每个被放行的请求都要承担限流器的一次查找（基准测试测量了这部分）。"),
        Labels: new Dictionary<string, string>
        {
            ["p99_ms"] = "正常调用方的延迟 p99",
            ["p50_ms"] = "正常调用方的延迟 p50",
            ["storm_sent"] = "批处理任务发出的请求",
            ["storm_5xx"] = "其中返回 5xx 的（并被立即重试）",
            ["storm_429"] = "其中返回 429 的（任务等待后再发）",
            ["storm_per_second"] = "批处理任务每秒的请求数",
            ["users_lookups_total"] = "完成的查询（CPU 工作）",
            ["users_rejected_total"] = "在做任何工作之前就被拒绝的请求",
            ["live:load"] = string.Create(CultureInfo.InvariantCulture,
                $"商城前端每秒查询 {VictimRate:0} 个用户（开环）；配置项加入批处理任务：{StormWorkers} 个 worker，遇到 5xx 立即重试；图表跟踪的是商城前端"),
            ["live:because"] = "查询是 CPU 工作，两个服务共用两个核会互相干扰数据；两者轮流承受负载，每次 20 s，另一个空闲",
            ["knob:BatchJob"] = "拉取已删除用户的批处理任务",
            ["knob:BatchJob=off"] = "关",
            ["knob:BatchJob=on"] = "开，遇到 5xx 立即重试",
        });

    /// <inheritdoc />
    public override Task<ScenarioContext> PrepareAsync(string variant, double scale, CancellationToken ct) =>
        Task.FromResult(new ScenarioContext(variant, new Dictionary<string, string>
        {
            ["Lab:WorkFactor"] = WorkFactor.ToString(CultureInfo.InvariantCulture),
            ["Lab:TokensPerSecond"] = "10",
            ["Lab:Burst"] = "50",
        }, scale));

    /// <inheritdoc />
    public override async Task WarmUpAsync(LabService service, ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        using var client = service.CreateClient();
        for (var i = 1; i <= 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{i}") { Headers = { { RetryStorm.ClientIdHeader, "warm-up" } } };
            using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task<LoadResult> DriveAsync(LabService service, ScenarioContext context, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(context);
        var duration = context.Scaled(Duration);
        using var stormClient = service.CreateClient(StormWorkers);
        using var victimClient = service.CreateClient(64);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var job = Enumerable.Range(1, 1_000).Select(i => $"/api/users/{i * 10}").ToList();
        var storm = RetryStorm.RunAsync(stormClient, "batch-job", job, StormWorkers, duration + TimeSpan.FromSeconds(30), stop.Token);
        LoadResult victim;
        try
        {
            victim = await LoadDriver.RunOpenLoopAsync(victimClient, i => new HttpRequestMessage(HttpMethod.Get, $"/api/users/{1 + i % 9}")
                {
                    // Four shop front-ends, each well inside its own limit.
                    Headers = { { RetryStorm.ClientIdHeader, $"web-shop-{i % 4}" } },
                },
                VictimRate, duration, new LoadSettings { RequestTimeout = TimeSpan.FromSeconds(60) }, progress, ct).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
        var result = await storm.ConfigureAwait(false);
        context.Figures["storm_sent"] = result.Sent;
        // Every answer but a 429 (refused before the work) and a transport error came after the lookup's CPU work.
        context.Figures["storm_admitted"] = result.ByStatus.Where(s => s.Key is not ("429" or "error")).Sum(s => s.Value);
        context.Figures["storm_5xx"] = result.ByStatus.Where(s => s.Key.StartsWith('5')).Sum(s => s.Value);
        context.Figures["storm_429"] = result.Count("429");
        context.Figures["storm_per_second"] = Math.Round(result.PerSecond, 1);
        return victim;
    }

    /// <inheritdoc />
    public override LiveMode Live { get; } = new(
        [
            new LiveKnob("BatchJob", "the batch job of deleted users", KnobTarget.Load, [new("off", "off"), new("on, retrying every 5xx at once", "on")], Initial: "off"),
        ],
        Load: string.Create(CultureInfo.InvariantCulture,
            $"shop front-ends look up {VictimRate:0} users a second (open loop); the knob adds the batch job, {StormWorkers} workers retrying every 5xx at once; the charts follow the front-ends"),
        OneAtATimeBecause: "a lookup is CPU work, and two services sharing two cores would spoil each other's figures; each takes the load for 20 s in turn, the other idle");

    /// <inheritdoc />
    public override async Task DriveLiveAsync(LabService service, ScenarioContext context, LiveKnobValues knobs, IProgress<LoadProgress> progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(knobs);
        using var stormClient = service.CreateClient(StormWorkers);
        using var victimClient = service.CreateClient(64);
        var job = Enumerable.Range(1, 1_000).Select(i => $"/api/users/{i * 10}").ToList();
        var storms = Task.Run(async () =>
        {
            // The job runs while the knob says so, and is called off within a fifth of a second of it saying otherwise.
            using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            while (await poll.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                if (knobs["BatchJob"] != "on") continue;
                using var off = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var watch = Task.Run(async () =>
                {
                    while (knobs["BatchJob"] == "on" && !off.IsCancellationRequested) await Task.Delay(200, off.Token).ConfigureAwait(false);
                    await off.CancelAsync().ConfigureAwait(false);
                }, CancellationToken.None);
                try
                {
                    await RetryStorm.RunAsync(stormClient, "batch-job", job, StormWorkers, TimeSpan.FromHours(1), off.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (off.IsCancellationRequested)
                {
                }
                await off.CancelAsync().ConfigureAwait(false);
                try { await watch.ConfigureAwait(false); }
                catch (OperationCanceledException) { }
            }
        }, CancellationToken.None);
        try
        {
            await LoadDriver.RunOpenLoopAsync(victimClient, i => new HttpRequestMessage(HttpMethod.Get, $"/api/users/{1 + i % 9}")
                {
                    Headers = { { RetryStorm.ClientIdHeader, $"web-shop-{i % 4}" } },
                },
                VictimRate, TimeSpan.FromHours(12), new LoadSettings { RequestTimeout = TimeSpan.FromSeconds(60) }, progress, ct).ConfigureAwait(false);
        }
        finally
        {
            try { await storms.ConfigureAwait(false); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        }
    }
}
