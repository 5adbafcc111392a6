using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;

namespace Lab09.Replay;

/// <summary>
/// Lab 09: a backlog of order events lands on the queue faster than the warehouse lets the consumer work through it.
/// Broken has no prefetch limit, so the broker hands it the whole queue and the backlog moves into its heap; Fixed
/// takes a prefetch's worth at a time and the backlog stays in the broker.
/// </summary>
public sealed class ConsumerBacklogScenario : LabScenario
{
    /// <summary>Orders published at the start of a run, at scale 1.</summary>
    public const int Backlog = 10_000;

    /// <summary>How long the warehouse takes to reserve one order.</summary>
    public const int WarehouseMs = 10;

    /// <summary>How long a run watches the consumer, at scale 1.</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    /// <summary>The headline's figure: orders the consumer held at its peak, per 1,000 queued.</summary>
    public const string HeldPer1000 = "held_per_1000_queued";

    /// <inheritdoc />
    public override string Lab => "09-consumer-backlog";

    /// <inheritdoc />
    public override string Title => "The consumer that swallowed the queue";

    /// <inheritdoc />
    public override string Symptom => "A backlog on the queue becomes a backlog in the consumer's heap: the broker hands an unlimited consumer every message at once.";

    /// <inheritdoc />
    public override bool MeasuresRetainedHeap => true;

    /// <inheritdoc />
    public override string Conditions(double scale) => string.Create(CultureInfo.InvariantCulture,
        $"{Backlog * scale:N0} order events of {Shop.Event(0).Length / 1024.0:N1} KB published at once to a durable queue on a real RabbitMQ on loopback; " +
        $"the warehouse takes {WarehouseMs} ms a reservation; the consumer watched for {(Duration * scale).TotalSeconds:0.#} s");

    /// <inheritdoc />
    public override IReadOnlyList<LabMetric> LabMetrics =>
    [
        new("orders_processed_total", "order events handled and acknowledged"),
        new("orders_in_progress", "order events being handled", MetricSummary.Peak),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<FigureRow> KeyRows =>
    [
        new("held_peak", "orders in the consumer's hands at the peak (taken off the queue, not acknowledged)"),
        new("ready_end", "orders still waiting in the broker at the end"),
        new("processed", "orders reserved and acknowledged"),
        new("processed_per_second", "orders reserved a second"),
        new("heap_retained_bytes", "retained heap grown over the run"),
    ];

    /// <inheritdoc />
    public override HeadlineSpec Headline { get; } = new(HeldPer1000, "orders held in the consumer per 1,000 queued", Better.Lower, Unit: 1,
        (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"With {broken.Figure("queued"):N0} order events queued and a warehouse that takes {WarehouseMs} ms an order, Broken held {h.Broken:N0} of every 1,000 " +
            $"in its own memory at the peak ({broken.Figure("held_peak"):N0} orders taken off the queue and not acknowledged; its retained heap grew by " +
            $"{broken.Figure("heap_retained_bytes") / 1048576:N0} MB): with no prefetch limit the broker hands a consumer the whole queue. Fixed held {h.Fixed:N1} per 1,000 " +
            $"({@fixed.Figure("held_peak"):N0}, its prefetch; heap {@fixed.Figure("heap_retained_bytes") / 1048576:N0} MB), {h.RatioText} fewer. Its cost: the backlog waits in the broker " +
            $"instead ({@fixed.Figure("ready_end"):N0} orders still queued at the end, against {broken.Figure("ready_end"):N0} for Broken, which had taken them all), so the queue's depth, " +
            $"not the consumer's heap, is what says it is behind; and the broker sends more only as acknowledgements come back, so throughput is the concurrency's to buy: " +
            $"{@fixed.Figure("processed_per_second"):N0} orders a second with 8 at a time, against Broken's {broken.Figure("processed_per_second"):N0} one at a time."));

    /// <inheritdoc />
    public override ScenarioText Chinese { get; } = new(
        Title: "吞下整个队列的消费者",
        Conditions: scale => string.Create(CultureInfo.InvariantCulture,
            $"一次性向回环地址上一个真实 RabbitMQ 的持久化队列发布 {Backlog * scale:N0} 个 {Shop.Event(0).Length / 1024.0:N1} KB 的订单事件；" +
            $"仓库每次预留耗时 {WarehouseMs} ms；观察消费者 {(Duration * scale).TotalSeconds:0.#} s"),
        HeadlineLabel: "每 1,000 个排队订单中消费者持有的数量",
        Sentence: (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"队列中有 {broken.Figure("queued"):N0} 个订单事件、仓库每个订单耗时 {WarehouseMs} ms 时，Broken 在峰值时把每 1,000 个中的 {h.Broken:N0} 个放在了自己的内存里" +
            $"（{broken.Figure("held_peak"):N0} 个订单已从队列取走但未确认；存活堆增长了 {broken.Figure("heap_retained_bytes") / 1048576:N0} MB）：" +
            $"没有预取上限，broker 就把整个队列都交给消费者。Fixed 每 1,000 个中只持有 {h.Fixed:N1} 个" +
            $"（{@fixed.Figure("held_peak"):N0} 个，正是它的预取数；堆增长 {@fixed.Figure("heap_retained_bytes") / 1048576:N0} MB），少了 {ScenarioText.ChineseRatio(h)}。" +
            $"代价：积压改在 broker 里等待（结束时仍有 {@fixed.Figure("ready_end"):N0} 个订单在队列中，而 Broken 早已把订单全部取走，只剩 {broken.Figure("ready_end"):N0} 个），" +
            $"所以说明消费者落后的是队列深度，而不是消费者的堆；而且 broker 只有在确认返回时才会发送更多消息，吞吐量要靠并发来换：" +
            $"Fixed 同时处理 8 个，每秒预留 {@fixed.Figure("processed_per_second"):N0} 个订单，Broken 一次只处理一个，每秒 {broken.Figure("processed_per_second"):N0} 个。"),
        Labels: new Dictionary<string, string>
        {
            ["held_peak"] = "峰值时消费者手上的订单（已从队列取走、未确认）",
            ["ready_end"] = "结束时仍在 broker 中等待的订单",
            ["processed"] = "已预留并确认的订单",
            ["processed_per_second"] = "每秒预留的订单",
            ["heap_retained_bytes"] = "运行期间存活堆的增长",
            ["orders_processed_total"] = "已处理并确认的订单事件",
            ["orders_in_progress_peak"] = "正在处理的订单事件",
        });

    /// <inheritdoc />
    public override async Task<ScenarioContext> PrepareAsync(string variant, double scale, CancellationToken ct)
    {
        var settings = new Dictionary<string, string> { ["Lab:Queue"] = "order-events" };
        var context = new ScenarioContext(variant, settings, scale);
        try
        {
            var world = context.Own(new World(await RabbitMqServer.StartAsync(ct).ConfigureAwait(false)));
            world.Warehouse = await Downstream.StartAsync(new DownstreamBehaviour("slow", DelayMs: WarehouseMs, BodyKb: 0), ct).ConfigureAwait(false);
            world.Shop = await Shop.ConnectAsync(world.Broker.AmqpUri, settings["Lab:Queue"], ct).ConfigureAwait(false);
            settings["Lab:Broker"] = world.Broker.AmqpUri.ToString();
            settings["Lab:Warehouse"] = world.Warehouse.BaseAddress.ToString();
            return context;
        }
        catch
        {
            await context.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public override async Task WarmUpAsync(LabService service, ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        // The consumer connects in the background: the run starts once it has.
        using var client = service.CreateClient(4);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!(await StatusAsync(client, ct).ConfigureAwait(false)).Connected)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"{service} did not connect to the broker in 60 s.");
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task<LoadResult> DriveAsync(LabService service, ScenarioContext context, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(context);
        var world = context.Owned<World>();
        var shop = world.Shop!;
        var queued = (int)context.Scaled(Backlog);
        var duration = context.Scaled(Duration);
        using var client = service.CreateClient(8);

        // An operator's dashboard polls the consumer's status while the backlog lands: the run's requests.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var dashboard = LoadDriver.RunOpenLoopAsync(client, _ => new HttpRequestMessage(HttpMethod.Get, "/api/orders/consumer"), 10, duration,
            new LoadSettings { MaxInFlight = 8, RequestTimeout = TimeSpan.FromSeconds(30) }, progress, stop.Token);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await shop.PublishAsync(0, queued, ct).ConfigureAwait(false);
        double heldPeak = 0;
        long ready = 0, processed = 0;
        while (clock.Elapsed < duration)
        {
            (ready, _) = await shop.CountsAsync(ct).ConfigureAwait(false);
            processed = (await StatusAsync(client, ct).ConfigureAwait(false)).Processed;
            heldPeak = Math.Max(heldPeak, queued - ready - processed);
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
        var load = await dashboard.ConfigureAwait(false);
        context.Figures["queued"] = queued;
        context.Figures["held_peak"] = heldPeak;
        context.Figures["ready_end"] = ready;
        context.Figures["processed"] = processed;
        context.Figures["processed_per_second"] = Math.Round(processed / clock.Elapsed.TotalSeconds, 1);
        context.Figures[HeldPer1000] = Math.Round(heldPeak * 1000 / queued, 1);
        return load;
    }

    private static async Task<(bool Connected, long Processed)> StatusAsync(HttpClient client, CancellationToken ct)
    {
        var status = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/orders/consumer", UriKind.Relative), ct).ConfigureAwait(false);
        return (status.GetProperty("connected").GetBoolean(), status.GetProperty("processed").GetInt64());
    }

    /// <summary>What a run starts besides the consumer: the broker, the warehouse, the shop's connection. Stopped with the run.</summary>
    private sealed class World(RabbitMqServer broker) : IAsyncDisposable
    {
        public RabbitMqServer Broker { get; } = broker;

        public Downstream? Warehouse { get; set; }

        public Shop? Shop { get; set; }

        public async ValueTask DisposeAsync()
        {
            if (Shop is not null) await Shop.DisposeAsync().ConfigureAwait(false);
            if (Warehouse is not null) await Warehouse.DisposeAsync().ConfigureAwait(false);
            await Broker.DisposeAsync().ConfigureAwait(false);
        }
    }
}
