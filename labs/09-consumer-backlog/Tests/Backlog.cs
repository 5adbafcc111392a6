using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Lab09.Replay;
using Workshop.TestKit;
using Workshop.Toolkit.Processes;
using Xunit;

namespace Lab09.Tests;

/// <summary>A real RabbitMQ broker on free loopback ports, shared by one test class's tests (each with a queue of its own).</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public RabbitMqServer Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await RabbitMqServer.StartAsync();

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}

/// <summary>
/// One test's world: its own queue on the broker, the shop publishing to it, and the warehouse (the downstream fake, a
/// process of its own, which takes Idempotency-Keys as a payment provider does and counts the repeats).
/// </summary>
internal sealed class Backlog : IAsyncDisposable
{
    private Backlog(RabbitMqServer broker, string queue, Shop shop, Downstream warehouse)
    {
        Broker = broker;
        Queue = queue;
        Shop = shop;
        Warehouse = warehouse;
    }

    public RabbitMqServer Broker { get; }

    public string Queue { get; }

    public Shop Shop { get; }

    public Downstream Warehouse { get; }

    /// <summary>A warehouse that answers at once, with an empty body.</summary>
    public static readonly DownstreamBehaviour Quick = new("ok", BodyKb: 0);

    /// <summary>A warehouse that holds every call until told otherwise: work that has stalled.</summary>
    public static readonly DownstreamBehaviour Stalled = new("hang", BodyKb: 0);

    public static async Task<Backlog> CreateAsync(RabbitMqServer broker, DownstreamBehaviour warehouse)
    {
        var queue = "order-events-" + Guid.NewGuid().ToString("N")[..8];
        var fake = await DownstreamFake.StartAsync(warehouse);
        try
        {
            return new Backlog(broker, queue, await Shop.ConnectAsync(broker.AmqpUri, queue), fake);
        }
        catch
        {
            await fake.DisposeAsync();
            throw;
        }
    }

    /// <summary>The consumer's knobs: this broker, this queue, this warehouse.</summary>
    public (string, string)[] Knobs(params (string, string)[] more) =>
    [
        ("Lab:Broker", Broker.AmqpUri.ToString()), ("Lab:Queue", Queue), ("Lab:Warehouse", Warehouse.BaseAddress.ToString()), .. more,
    ];

    /// <summary>Waits until the service says its consumer holds a connection to the broker (<c>GET /api/orders/consumer</c>).</summary>
    public static async Task ConnectedAsync(HttpClient consumer, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!(await consumer.GetFromJsonAsync<JsonElement>("/api/orders/consumer")).GetProperty("connected").GetBoolean())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"the consumer did not connect to the broker in {timeout.TotalSeconds:0} s");
            await Task.Delay(50);
        }
    }

    /// <summary>What the broker holds of the queue; while the broker is coming back, asked again until it answers.</summary>
    public async Task<(long Ready, long Consumers)> CountsAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await Shop.CountsAsync();
            }
            catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(200); // the shop's connection recovers by itself
            }
        }
    }

    /// <summary>
    /// Reservations the warehouse made: every call it took, less the repeats of an Idempotency-Key it had taken (a
    /// repeated key is answered with the reservation made the first time, not a second one).
    /// </summary>
    public async Task<long> ReservationsAsync() => await Warehouse.RequestsAsync() - await Warehouse.KeyRepeatsAsync();

    /// <summary>
    /// Waits until the broker has handed out everything it will while the work is stalled: the queue's ready count
    /// unchanged for a second (a consumer with a prefetch limit stops getting messages at its limit; one without gets
    /// the whole queue), or the queue empty.
    /// </summary>
    public async Task<long> ReadyOnceSettledAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var last = -1L;
        var same = 0;
        while (clock.Elapsed < timeout)
        {
            var (ready, _) = await CountsAsync();
            if (ready == 0) return 0;
            same = ready == last ? same + 1 : 0;
            if (same >= 10) return ready;
            last = ready;
            await Task.Delay(100);
        }
        return last;
    }

    /// <summary>
    /// Waits until the warehouse has reserved at least <paramref name="orders"/> orders and the consumer has gone quiet:
    /// the queue empty and, by the service's own count, no order in hand and none finished for a second. Gives up after
    /// <paramref name="timeout"/>, or once nothing has moved (the queue, the reservations, the service's count) for 10 s.
    /// </summary>
    public async Task<bool> DrainedAsync(HttpClient consumer, int orders, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var quiet = 0;
        (long, long, double)? last = null;
        var lastMove = TimeSpan.Zero;
        while (clock.Elapsed < timeout && clock.Elapsed - lastMove < TimeSpan.FromSeconds(10))
        {
            var (ready, _) = await CountsAsync();
            var inHand = await ServiceMetrics.ReadAsync(consumer, "orders_in_progress") ?? 0;
            var processed = await ServiceMetrics.ReadAsync(consumer, "orders_processed_total") ?? 0;
            var reservations = await ReservationsAsync();
            var now = (ready, reservations, processed);
            if (now != last) lastMove = clock.Elapsed;
            quiet = ready == 0 && inHand == 0 && now == last && reservations >= orders ? quiet + 1 : 0;
            last = now;
            if (quiet >= 10) return true;
            await Task.Delay(100);
        }
        return false;
    }

    public static string Mb(double bytes) => (bytes / 1024 / 1024).ToString("N1", CultureInfo.InvariantCulture) + " MB";

    public async ValueTask DisposeAsync()
    {
        await Shop.DisposeAsync();
        await Warehouse.DisposeAsync();
    }
}
