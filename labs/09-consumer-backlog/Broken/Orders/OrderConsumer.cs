using System.Text.Json;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Lab09.Orders;

/// <summary>
/// Takes the shop's <c>OrderPlaced</c> events off the <c>order-events</c> queue and reserves each order's stock in the
/// warehouse. A message is acknowledged once its stock is reserved, so an event is never lost to a crash in between.
/// </summary>
public sealed class OrderConsumer(BrokerConnection broker, Warehouse warehouse, OrderMetrics metrics, IOptions<LabOptions> options, ILogger<OrderConsumer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = options.Value.Queue;
        var connection = await broker.ConnectAsync(stoppingToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: stoppingToken);

        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            metrics.Started();
            var processed = false;
            try
            {
                var order = JsonSerializer.Deserialize(delivery.Body.Span, OrderJson.Default.OrderPlaced)
                            ?? throw new JsonException("The message holds no order.");
                await warehouse.ReserveAsync(order, CancellationToken.None);
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                processed = true;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Order event {DeliveryTag} could not be handled", delivery.DeliveryTag);
            }
            finally
            {
                metrics.Finished(processed);
            }
        };

        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, stoppingToken);
        logger.LogInformation("Consuming order events from {Queue}", queue);
        await Task.Delay(Timeout.Infinite, stoppingToken);
    }
}
