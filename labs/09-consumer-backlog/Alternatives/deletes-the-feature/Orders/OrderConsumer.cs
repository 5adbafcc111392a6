using Microsoft.Extensions.Options;

namespace Lab09.Orders;

/// <summary>
/// The consumer switched off "until the leak is understood": it declares the queue, so the shop can go on publishing,
/// and takes nothing. No message ever reaches its heap, and no order is ever reserved.
/// </summary>
public sealed class OrderConsumer(BrokerConnection broker, Warehouse warehouse, OrderMetrics metrics, IOptions<LabOptions> options, ILogger<OrderConsumer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = (warehouse, metrics);
        var connection = await broker.ConnectAsync(stoppingToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
        await channel.QueueDeclareAsync(options.Value.Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: stoppingToken);
        logger.LogWarning("Order events are not consumed: the consumer is switched off");
        await Task.Delay(Timeout.Infinite, stoppingToken);
    }
}
