using System.Globalization;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;

namespace Lab10.Replay;

/// <summary>
/// Lab 10: the stock API calls the inventory backend over one multiplexed TCP connection, and the backend drops one
/// answer in ten. Broken keeps a call in its table until the answer comes, so every dropped answer strands its caller
/// and keeps its basket for good; Fixed gives each call a deadline that takes it out of the table and answers 504.
/// </summary>
public sealed class PendingCallsScenario : LabScenario
{
    /// <summary>Basket checks a second.</summary>
    public const int Rate = 200;

    /// <summary>The share of answers the backend drops.</summary>
    public const double DropRate = 0.1;

    /// <summary>The deadline of a call in Fixed (its default), and what the run waits after the last call: three of them.</summary>
    public const int CallTimeoutMs = 2_000;

    /// <summary>How long the shop sends baskets, at scale 1.</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(12);

    /// <summary>The headline's figure: callers still waiting at the end, per 1,000 answers the backend dropped.</summary>
    public const string WaitingPer1000 = "waiting_per_1000_dropped";

    /// <inheritdoc />
    public override string Lab => "10-pending-calls";

    /// <inheritdoc />
    public override string Title => "The calls that waited for answers that never came";

    /// <inheritdoc />
    public override string Symptom => "Each answer the backend drops leaves a caller waiting for good and an entry, with its basket, in the table of pending calls.";

    /// <inheritdoc />
    public override bool MeasuresRetainedHeap => true;

    /// <inheritdoc />
    public override string Conditions(double scale) => string.Create(CultureInfo.InvariantCulture,
        $"{Rate} basket checks a second of about 11 KB for {(Duration * scale).TotalSeconds:0.#} s; the inventory backend (a process of its own, one TCP connection) " +
        $"drops {DropRate:P0} of its answers; callers wait as long as it takes, and the run ends {3 * CallTimeoutMs / 1000} s (three of Fixed's deadlines) after the last call");

    /// <inheritdoc />
    public override IReadOnlyList<LabMetric> LabMetrics =>
    [
        new("stock_checks_total", "basket checks, by outcome"),
        new("inventory_pending_calls", "calls in the table of pending calls", MetricSummary.Peak, Variants: ["Fixed"]),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<FigureRow> KeyRows =>
    [
        new("calls", "basket checks sent"),
        new("dropped", "answers the backend dropped"),
        new("waiting_end", "callers still waiting at the end"),
        new("answered_200", "answered with the stock (200)"),
        new("answered_504", "told the answer did not come (504)"),
        new("heap_retained_bytes", "retained heap grown over the run"),
    ];

    /// <inheritdoc />
    public override HeadlineSpec Headline { get; } = new(WaitingPer1000, "callers still waiting per 1,000 dropped answers", Better.Lower, Unit: 1,
        (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"The backend dropped {broken.Figure("dropped"):N0} of Broken's {broken.Figure("calls"):N0} calls' answers, and {broken.Figure("waiting_end"):N0} of Broken's callers were still " +
            $"waiting {3 * CallTimeoutMs / 1000} s after the last call ({h.Broken:N0} per 1,000 dropped answers): a call leaves Broken's table only when its answer comes, so each stays, " +
            $"with its basket (retained heap +{broken.Figure("heap_retained_bytes") / 1048576:N1} MB). Fixed left {@fixed.Figure("waiting_end"):N0} waiting ({h.Fixed:N0} per 1,000), " +
            $"{h.RatioText} fewer, and kept {@fixed.Figure("heap_retained_bytes") / 1048576:N1} MB: each call has a {CallTimeoutMs:N0} ms deadline that takes it out of the table. " +
            $"Its cost: the {@fixed.Figure("answered_504"):N0} callers whose answer was lost hear 504 after {CallTimeoutMs:N0} ms instead of their stock, and an answer later than " +
            $"the deadline is thrown away."));

    /// <inheritdoc />
    public override ScenarioText Chinese { get; } = new(
        Title: "那些一直在等、却永远等不到回答的调用",
        Conditions: scale => string.Create(CultureInfo.InvariantCulture,
            $"每秒 {Rate} 次购物篮检查，每次约 11 KB，持续 {(Duration * scale).TotalSeconds:0.#} s；库存后端（独立进程，一条 TCP 连接）" +
            $"丢掉 {DropRate:P0} 的回答；调用方要等多久就等多久，最后一个调用发出 {3 * CallTimeoutMs / 1000} s（Fixed 的三个截止时间）后结束运行"),
        HeadlineLabel: "每 1,000 个丢失的回答对应的仍在等待的调用方",
        Sentence: (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"Broken 发出的 {broken.Figure("calls"):N0} 个调用中，后端丢掉了 {broken.Figure("dropped"):N0} 个回答；最后一个调用发出 {3 * CallTimeoutMs / 1000} s 后，" +
            $"Broken 仍有 {broken.Figure("waiting_end"):N0} 个调用方在等（每 1,000 个丢失的回答对应 {h.Broken:N0} 个）：在 Broken 里，调用只有等到回答才会离开挂起调用表，" +
            $"所以每个这样的调用都连同它的购物篮一直留着（存活堆 +{broken.Figure("heap_retained_bytes") / 1048576:N1} MB）。" +
            $"Fixed 只剩 {@fixed.Figure("waiting_end"):N0} 个在等（每 1,000 个对应 {h.Fixed:N0} 个），少了 {ScenarioText.ChineseRatio(h)}，存活堆只增长了 {@fixed.Figure("heap_retained_bytes") / 1048576:N1} MB：" +
            $"每个调用都有 {CallTimeoutMs:N0} ms 的截止时间，到时就把它移出表。代价：回答丢失的 {@fixed.Figure("answered_504"):N0} 个调用方在 {CallTimeoutMs:N0} ms 后" +
            $"收到的是 504，而不是库存；晚于截止时间才到的回答会被扔掉。"),
        Labels: new Dictionary<string, string>
        {
            ["calls"] = "发出的购物篮检查",
            ["dropped"] = "后端丢掉的回答",
            ["waiting_end"] = "结束时仍在等待的调用方",
            ["answered_200"] = "拿到库存的调用方（200）",
            ["answered_504"] = "被告知回答没有来的调用方（504）",
            ["heap_retained_bytes"] = "运行期间存活堆的增长",
            ["stock_checks_total"] = "购物篮检查，按结果分",
            ["inventory_pending_calls_peak"] = "挂起调用表中的调用",
        });

    /// <inheritdoc />
    public override async Task<ScenarioContext> PrepareAsync(string variant, double scale, CancellationToken ct)
    {
        var port = LabService.FreePort();
        var settings = new Dictionary<string, string>
        {
            ["Lab:Inventory"] = $"127.0.0.1:{port}",
            ["Lab:CallTimeoutMs"] = CallTimeoutMs.ToString(CultureInfo.InvariantCulture),
        };
        var context = new ScenarioContext(variant, settings, scale);
        try
        {
            context.Own(await LabService.StartProjectAsync(Path.Combine(Folder.Directory, "Backend", "Lab10.Backend.csproj"), Lab, "Backend",
                new Dictionary<string, string>
                {
                    ["Backend:TcpPort"] = port.ToString(CultureInfo.InvariantCulture),
                    ["Backend:DropRate"] = DropRate.ToString(CultureInfo.InvariantCulture),
                }, ct).ConfigureAwait(false));
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
        var backend = context.Owned<LabService>();
        var duration = context.Scaled(Duration);
        var shop = service.CreateClient(1_024);
        shop.Timeout = Timeout.InfiniteTimeSpan; // a caller waits as long as it takes: the run, not a client timeout, decides
        using var dashboard = service.CreateClient(4);

        // An operator's health check while the shop sends: the run's requests, on their own connections.
        var health = LoadDriver.RunOpenLoopAsync(dashboard, _ => new HttpRequestMessage(HttpMethod.Get, "/healthz"), 5, duration,
            new LoadSettings { MaxInFlight = 4, RequestTimeout = TimeSpan.FromSeconds(30) }, progress, ct);

        var giveUp = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var calls = new List<Task<int>>();
        context.Own(new Stranded(shop, giveUp, calls));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / Rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, ct).ConfigureAwait(false);
            var basket = i;
            calls.Add(Task.Run(async () =>
            {
                using var response = await shop.SendAsync(Baskets.Check(basket), giveUp.Token).ConfigureAwait(false);
                return (int)response.StatusCode;
            }, CancellationToken.None));
        }
        // Three deadlines after the last call, every caller that is going to hear has heard.
        var settle = Task.WhenAll(calls);
        await Task.WhenAny(settle, Task.Delay(3 * CallTimeoutMs, ct)).ConfigureAwait(false);
        var answered = calls.Where(c => c.IsCompletedSuccessfully).Select(c => c.Result).ToList();
        context.Figures["calls"] = calls.Count;
        context.Figures["waiting_end"] = calls.Count(c => !c.IsCompleted);
        context.Figures["answered_200"] = answered.Count(s => s == 200);
        context.Figures["answered_504"] = answered.Count(s => s == 504);
        var dropped = (await backend.CreateClient(2).GetStringAsync(new Uri("/metrics", UriKind.Relative), ct).ConfigureAwait(false))
            .Split('\n').Where(l => l.StartsWith("backend_dropped_total", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        context.Figures["dropped"] = dropped;
        context.Figures[WaitingPer1000] = Math.Round(context.Figures["waiting_end"] * 1000 / Math.Max(dropped, 1), 1);
        var load = await health.ConfigureAwait(false);
        // The heap is measured after this returns, with the stranded callers still waiting (they are what it keeps);
        // they give up when the run is over.
        return load;
    }

    /// <summary>The shop's callers, told to give up once the run is over.</summary>
    private sealed class Stranded(HttpClient shop, CancellationTokenSource giveUp, List<Task<int>> calls) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await giveUp.CancelAsync().ConfigureAwait(false);
            try { await Task.WhenAll(calls).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException) { }
            giveUp.Dispose();
            shop.Dispose();
        }
    }
}
