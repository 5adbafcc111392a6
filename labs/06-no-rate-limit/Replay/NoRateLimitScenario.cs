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
