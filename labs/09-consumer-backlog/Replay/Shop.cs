using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace Lab09.Replay;

/// <summary>
/// The shop's side of the <c>order-events</c> queue, as the replay and the spec play it: publishes <c>OrderPlaced</c>
/// events (persistent, each confirmed by the broker) and reads what the broker holds of the queue.
/// </summary>
public sealed class Shop : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;

    private Shop(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    /// <summary>Connects to <paramref name="broker"/> and declares <paramref name="queue"/> as the consumer does (durable).</summary>
    public static async Task<Shop> ConnectAsync(Uri broker, string queue, CancellationToken ct = default)
    {
        var factory = new ConnectionFactory { Uri = broker, ClientProvidedName = "shop", AutomaticRecoveryEnabled = true, NetworkRecoveryInterval = TimeSpan.FromSeconds(1) };
        var connection = await factory.CreateConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct)
                .ConfigureAwait(false);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct).ConfigureAwait(false);
            return new Shop(connection, channel) { Queue = queue };
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The queue this shop publishes to.</summary>
    public string Queue { get; private init; } = "";

    /// <summary>Publishes orders <paramref name="from"/> to <paramref name="from"/> + <paramref name="count"/> - 1, returning once the broker has confirmed every one (written to disk).</summary>
    public async Task PublishAsync(int from, int count, CancellationToken ct = default)
    {
        const int Batch = 256;
        for (var start = from; start < from + count; start += Batch)
        {
            var end = Math.Min(from + count, start + Batch);
            var confirms = new List<Task>(end - start);
            for (var i = start; i < end; i++)
            {
                var properties = new BasicProperties
                {
                    Persistent = true,
                    ContentType = "application/json",
                    MessageId = OrderId(i),
                    Type = "OrderPlaced",
                };
                confirms.Add(_channel.BasicPublishAsync("", Queue, mandatory: true, properties, Event(i), ct).AsTask());
            }
            await Task.WhenAll(confirms).ConfigureAwait(false);
        }
    }

    /// <summary>Messages ready in the queue (not handed to any consumer), and the queue's consumers, as the broker counts them.</summary>
    public async Task<(long Ready, long Consumers)> CountsAsync(CancellationToken ct = default)
    {
        var queue = await _channel.QueueDeclarePassiveAsync(Queue, ct).ConfigureAwait(false);
        return (queue.MessageCount, queue.ConsumerCount);
    }

    /// <summary>Empties the queue (what a test leaves behind is not the next one's).</summary>
    public async Task PurgeAsync(CancellationToken ct = default) => await _channel.QueuePurgeAsync(Queue, ct).ConfigureAwait(false);

    /// <summary>The id of order <paramref name="i"/>.</summary>
    public static string OrderId(int i) => string.Create(CultureInfo.InvariantCulture, $"ord-{i:D7}");

    /// <summary>
    /// Order <paramref name="i"/>'s event as the shop writes it: 24 lines and a gift note, about 4 KB of JSON (what a
    /// real order event weighs, with its descriptions and address).
    /// </summary>
    public static byte[] Event(int i)
    {
        var json = new StringBuilder(4_500);
        json.Append(CultureInfo.InvariantCulture,
            $$"""{"orderId":"{{OrderId(i)}}","customerId":"cus-{{i * 7_919 % 100_000:D5}}","placedAt":"2025-11-28T09:{{i / 60 % 60:D2}}:{{i % 60:D2}}+00:00","lines":[""");
        for (var line = 0; line < 24; line++)
        {
            if (line > 0) json.Append(',');
            json.Append(CultureInfo.InvariantCulture,
                $$"""{"sku":"SKU-{{(i * 31 + line * 17) % 90_000 + 10_000}}","description":"Merino wool crew-neck jumper, charcoal grey, size {{"SMLX"[line % 4]}}, line {{line + 1}} of the order","quantity":{{1 + line % 3}},"unitPrice":{{49 + line}}.90}""");
        }
        json.Append(CultureInfo.InvariantCulture,
            $$"""],"shipTo":{"name":"Customer {{i}}","street":"{{i % 300 + 1}} Harbour Road","city":"Leith","postalCode":"EH6 {{i % 9 + 1}}AA","country":"GB"},"giftNote":"Happy birthday! With love from all of us, and see you at the weekend."}""");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
